#include "relusim/io/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "relusim/engine/stats.hpp"
#include "relusim/models/model_info.hpp"

#ifndef RELUSIM_VERSION
#define RELUSIM_VERSION "0.0.0"
#endif
#include "relusim_git_revision.hpp"  // generated at build time: RELUSIM_GIT_REVISION

namespace relusim {
namespace {

std::string fixed(double v, int digits) {
  if (std::isnan(v)) return "n/a";
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << v;
  return os.str();
}

std::string number(double v) {
  if (std::isnan(v)) return "nan";
  std::ostringstream os;
  os << std::setprecision(10) << v;
  return os.str();
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s)
    q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

nlohmann::json json_number(double v) {
  return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
}

}  // namespace

std::string relusim_version() {
  return RELUSIM_VERSION;
}
std::string relusim_git_revision() {
  return RELUSIM_GIT_REVISION;
}

std::string report_number(double v) {
  return number(v);
}

namespace {

/// The one model of a list of cells (a sweep never mixes models).
const ModelInfo& model_of(const std::vector<CellConfig>& cells) {
  return model_info(cells.empty() ? std::string("A") : cells.front().model);
}

}  // namespace

std::vector<std::string> table_keys(const std::vector<std::string>& swept,
                                    const std::string& model) {
  if (!swept.empty()) return swept;
  return model_info(model).default_table_keys;
}

void print_table(std::ostream& os, const std::vector<CellConfig>& cells,
                 const std::vector<CellResult>& results, const std::vector<std::string>& keys) {
  const ModelInfo& model = model_of(cells);
  std::vector<std::string> header = keys;
  header.emplace_back("trials");
  for (const std::string& o : model.short_outcomes)
    header.push_back(o);
  for (const char* h : {"rate", "95% CI", "bound", "theorem", "verdict"})
    header.emplace_back(h);
  for (const SummaryColumn& c : model.columns)
    if (!c.table_header.empty()) header.push_back(c.table_header);
  std::vector<std::vector<std::string>> rows;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const CellSummary& s = results[c].summary;
    std::vector<std::string> row;
    for (const auto& k : keys)
      row.push_back(find_parameter(model.name, k).get(cells[c]));
    row.push_back(std::to_string(s.trials));
    for (auto n : s.counts)
      row.push_back(std::to_string(n));
    row.push_back(fixed(s.rate, 3));
    row.push_back("[" + fixed(s.ci.lo, 3) + ", " + fixed(s.ci.hi, 3) + "]");
    row.push_back(fixed(s.bound.value, 3));
    row.push_back(s.bound.name);
    row.push_back(s.verdict);
    for (std::size_t i = 0; i < model.columns.size(); ++i) {
      const SummaryColumn& col = model.columns[i];
      if (col.table_header.empty()) continue;
      row.push_back(col.table_text != nullptr ? col.table_text(s.tally, cells[c])
                                              : fixed(s.values[i], col.table_digits));
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t i = 0; i < header.size(); ++i)
    width[i] = header[i].size();
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  auto print_row = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      const bool left = i < keys.size() || header[i] == "theorem" || header[i] == "verdict";
      os << (i ? "  " : "") << (left ? std::left : std::right)
         << std::setw(static_cast<int>(width[i])) << row[i];
    }
    os << '\n';
  };
  print_row(header);
  std::size_t total = 0;
  for (std::size_t w : width)
    total += w + 2;
  os << std::string(total > 2 ? total - 2 : 0, '-') << '\n';
  for (const auto& row : rows)
    print_row(row);
  // Why cells are outside their theorem's hypotheses or censored (MODEL.md §5), one line per
  // verdict and reason.
  struct ReasonLine {
    std::string verdict, reason, cells;
  };
  std::vector<ReasonLine> lines;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const CellSummary& s = results[c].summary;
    if (s.verdict_reason.empty()) continue;
    auto it = std::find_if(lines.begin(), lines.end(), [&](const ReasonLine& l) {
      return l.verdict == s.verdict && l.reason == s.verdict_reason;
    });
    if (it == lines.end()) {
      lines.push_back({s.verdict, s.verdict_reason, std::to_string(c)});
    } else {
      it->cells += ", " + std::to_string(c);
    }
  }
  if (lines.size() <= 4) {
    for (const ReasonLine& l : lines)
      os << l.verdict << " (cell" << (l.cells.find(',') == std::string::npos ? " " : "s ")
         << l.cells << "): " << l.reason << '\n';
  } else {
    std::string counts;
    for (const char* v : {kVerdictOutside, kVerdictCensored}) {
      std::size_t n = 0;
      for (std::size_t c = 0; c < cells.size(); ++c)
        n += results[c].summary.verdict == v && !results[c].summary.verdict_reason.empty();
      if (n == 0) continue;
      counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " cells are " +
                (v == std::string(kVerdictOutside) ? "outside their theorem's hypotheses"
                                                   : "censored (the step budget decides them)");
    }
    const ReasonLine& first = lines.front();
    os << counts << " (each cell's reason is verdict_reason in summary.csv); e.g. cell "
       << first.cells.substr(0, first.cells.find(',')) << ", " << first.verdict << ": "
       << first.reason << '\n';
  }
  if (model.table_note != nullptr) os << model.table_note(cells);
  if (model.comparison != nullptr) os << model.comparison(cells, results);
}

std::string summary_csv(const std::vector<CellConfig>& cells,
                        const std::vector<CellResult>& results) {
  const ModelInfo& model = model_of(cells);
  std::ostringstream os;
  os << "cell";
  // `trials` is a parameter column already: the tally's count equals it.
  for (const auto& p : model.parameters)
    os << ',' << p.key;
  for (const std::string& o : model.outcomes)
    os << ',' << o;
  os << ",rate,ci_low,ci_high,bound,theorem,verdict,verdict_reason";
  for (const SummaryColumn& c : model.columns)
    os << ',' << c.name;
  os << '\n';
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const CellSummary& s = results[c].summary;
    os << c;
    for (const auto& p : model.parameters)
      os << ',' << csv_field(p.get(cells[c]));
    for (auto n : s.counts)
      os << ',' << n;
    os << ',' << number(s.rate) << ',' << number(s.ci.lo) << ',' << number(s.ci.hi) << ','
       << number(s.bound.value) << ',' << s.bound.name << ',' << s.verdict << ','
       << csv_field(s.verdict_reason);
    for (double v : s.values)
      os << ',' << number(v);
    os << '\n';
  }
  return os.str();
}

nlohmann::json cell_json(const CellConfig& cell) {
  nlohmann::json j;
  for (const auto& p : cell_parameters(cell.model)) {
    switch (p.type) {
      case ParamType::integer:
        j[p.key] = std::stoll(p.get(cell));
        break;
      case ParamType::real:
        j[p.key] = std::stod(p.get(cell));
        break;
      case ParamType::boolean:
        j[p.key] = p.get(cell) == "true";
        break;
      default:
        if (p.key == "teacher" && cell.teacher == TeacherKind::explicit_vector) {
          j[p.key] = cell.teacher_vector;
        } else if (p.key == "init" && cell.init == InitKind::explicit_vector) {
          j[p.key] = cell.init_vector;
        } else if (p.key == "top_weights" && !cell.top_weights.empty()) {
          j[p.key] = cell.top_weights;
        } else {
          j[p.key] = p.get(cell);
        }
    }
  }
  return j;
}

nlohmann::json summary_json(const std::vector<CellConfig>& cells,
                            const std::vector<CellResult>& results, const RunProvenance& run,
                            const nlohmann::json& sweep_definition) {
  const ModelInfo& model = model_of(cells);
  nlohmann::json j;
  j["relusim_version"] = relusim_version();
  j["git_revision"] = relusim_git_revision();
  j["command_line"] = run.command_line;
  j["backend"] = run.backend;
  j["seconds"] = run.seconds;
  j["sweep"] = sweep_definition;
  nlohmann::json arr = nlohmann::json::array();
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const CellSummary& s = results[c].summary;
    nlohmann::json e;
    e["cell"] = c;
    e["config"] = cell_json(cells[c]);
    e["trials"] = s.trials;
    nlohmann::json counts;
    for (int o = 0; o < kOutcomeCount; ++o)
      counts[model.outcomes[static_cast<std::size_t>(o)]] = s.counts[static_cast<std::size_t>(o)];
    e["counts"] = counts;
    e["rate"] = json_number(s.rate);
    e["ci95"] = {s.ci.lo, s.ci.hi};
    e["bound"] = json_number(s.bound.value);
    e["theorem"] = s.bound.name;
    e["verdict"] = s.verdict;
    e["verdict_reason"] = s.verdict_reason;
    for (std::size_t i = 0; i < model.columns.size(); ++i)
      e[model.columns[i].name] = json_number(s.values[i]);
    // What the configuration resolves to: the numbers the dynamics and the bounds used.
    if (model.resolved != nullptr) e["resolved"] = model.resolved(cells[c]);
    arr.push_back(e);
  }
  j["cells"] = arr;
  return j;
}

std::string trajectories_csv(const std::vector<CellConfig>& cells,
                             const std::vector<CellResult>& results) {
  const ModelInfo& model = model_of(cells);
  std::ostringstream os;
  os << "cell,trajectory,outcome,steps,steps_to_converge," << model.trajectory_header << '\n';
  for (std::size_t c = 0; c < cells.size(); ++c) {
    for (const TrajectoryRecord& r : results[c].records) {
      os << c << ',' << r.id << ',' << model.outcomes[static_cast<std::size_t>(r.outcome)] << ','
         << r.steps << ',' << r.steps_to_converge << ',' << model.trajectory_row(r) << '\n';
    }
  }
  return os.str();
}

OutputDirectory::OutputDirectory(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  std::filesystem::create_directories(path_, ec);
  if (ec || !std::filesystem::is_directory(path_))
    throw BackendError("cannot create output directory '" + path_ + "': " + ec.message());
}

OutputDirectory::~OutputDirectory() {
  if (committed_) return;
  for (const auto& name : staged_) {
    std::error_code ec;
    std::filesystem::remove(std::filesystem::path(path_) / (name + ".partial"), ec);
  }
}

void OutputDirectory::stage(const std::string& name, const std::string& contents) {
  const auto tmp = std::filesystem::path(path_) / (name + ".partial");
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  staged_.push_back(name);
  out << contents;
  out.flush();
  if (!out) throw BackendError("cannot write '" + tmp.string() + "'");
}

void OutputDirectory::commit() {
  for (const auto& name : staged_) {
    const auto dir = std::filesystem::path(path_);
    std::error_code ec;
    std::filesystem::rename(dir / (name + ".partial"), dir / name, ec);
    if (ec) throw BackendError("cannot publish '" + (dir / name).string() + "': " + ec.message());
  }
  committed_ = true;
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789-_./=:,+") == std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace relusim
