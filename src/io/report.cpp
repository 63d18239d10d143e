#include "relusim/io/report.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>
#include <string_view>

#include "relusim/engine/stats.hpp"
#include "relusim/io/param_parsing.hpp"
#include "relusim/models/model_info.hpp"

#ifndef RELUSIM_VERSION
#define RELUSIM_VERSION "0.0.0"
#endif
#include "relusim_git_revision.hpp"  // generated at build time: RELUSIM_GIT_REVISION

namespace relusim {
namespace {

/// A table entry: `digits` decimals, or scientific notation where that would be wider than 12
/// characters (a mean of 1e150 printed 150 digits), "n/a" for NaN.
std::string fixed(double v, int digits) {
  if (std::isnan(v)) return "n/a";
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << v;
  if (os.str().size() <= 12) return os.str();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*e", std::max(digits, 2), v);
  return buf;
}

/// The shortest text that reads back as the same double (MODEL.md's one-step checks need every
/// digit), "nan" for NaN, "inf" and "-inf".
std::string number(double v) {
  if (std::isnan(v)) return "nan";
  return params::format_double(v);
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
  const bool any_auto =
      std::any_of(cells.begin(), cells.end(), [](const CellConfig& c) { return c.trials_auto; });
  if (any_auto) header.emplace_back("stopped by");
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
    if (any_auto) row.push_back(s.stopped_by);
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
      const bool left = i < keys.size() || header[i] == "theorem" || header[i] == "verdict" ||
                        header[i] == "stopped by";
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
  // Non-finite numbers never enter a statistic (MODEL.md §5): say where the means cover fewer
  // trajectories than the trials.
  std::string diverging;
  std::size_t n_diverging = 0;
  for (std::size_t c = 0; c < cells.size(); ++c)
    if (results[c].summary.counts[static_cast<int>(Outcome::diverged)] > 0 && ++n_diverging <= 8)
      diverging += (diverging.empty() ? "" : ", ") + std::to_string(c);
  if (n_diverging > 8) diverging += " and " + std::to_string(n_diverging - 8) + " more";
  if (n_diverging > 0)
    os << "note: the means of cell" << (n_diverging == 1 ? " " : "s ") << diverging
       << " are over the trajectories that did not diverge (the *_count columns of summary.csv "
          "say how many)\n";
  if (model.table_note != nullptr) os << model.table_note(cells);
  if (model.comparison != nullptr) os << model.comparison(cells, results);
}

std::string summary_csv(const std::vector<CellConfig>& cells,
                        const std::vector<CellResult>& results) {
  const ModelInfo& model = model_of(cells);
  std::ostringstream os;
  os << "cell";
  // `trials` is the parameter as written (a count, or "auto"); trials_used the tally's count.
  for (const auto& p : model.parameters)
    os << ',' << p.key;
  for (const std::string& o : model.outcomes)
    os << ',' << o;
  os << ",rate,ci_low,ci_high,bound,theorem,verdict,verdict_reason,trials_used,stopped_by";
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
       << csv_field(s.verdict_reason) << ',' << s.trials << ',' << s.stopped_by;
    for (double v : s.values)
      os << ',' << number(v);
    os << '\n';
  }
  return os.str();
}

std::vector<std::pair<std::string, char>> summary_csv_schema(const std::vector<CellConfig>& cells) {
  const ModelInfo& model = model_of(cells);
  std::vector<std::pair<std::string, char>> out = {{"cell", 'i'}};
  const bool any_auto =
      std::any_of(cells.begin(), cells.end(), [](const CellConfig& c) { return c.trials_auto; });
  for (const auto& p : model.parameters) {
    char kind = 's';  // choice, vector_or_choice
    if (p.type == ParamType::integer) kind = 'i';
    if (p.type == ParamType::integer_or_auto) kind = any_auto ? 's' : 'i';
    if (p.type == ParamType::real) kind = 'f';
    if (p.type == ParamType::boolean) kind = 'b';
    out.emplace_back(p.key, kind);
  }
  for (const std::string& o : model.outcomes)
    out.emplace_back(o, 'i');
  for (const char* name : {"rate", "ci_low", "ci_high", "bound"})
    out.emplace_back(name, 'f');
  for (const char* name : {"theorem", "verdict", "verdict_reason"})
    out.emplace_back(name, 's');
  out.emplace_back("trials_used", 'i');
  out.emplace_back("stopped_by", 's');
  for (const SummaryColumn& c : model.columns)
    out.emplace_back(c.name, c.integer ? 'i' : 'f');
  return out;
}

nlohmann::json cell_json(const CellConfig& cell) {
  nlohmann::json j;
  for (const auto& p : cell_parameters(cell.model)) {
    switch (p.type) {
      case ParamType::integer:
        j[p.key] = std::stoll(p.get(cell));
        break;
      case ParamType::integer_or_auto: {
        const std::string text = p.get(cell);
        j[p.key] = text == "auto" ? nlohmann::json(text) : nlohmann::json(std::stoll(text));
        break;
      }
      case ParamType::real:
        j[p.key] = std::stod(p.get(cell));
        break;
      case ParamType::boolean:
        j[p.key] = p.get(cell) == "true";
        break;
      default:
        if (const std::vector<double>* v = p.numbers != nullptr ? p.numbers(cell) : nullptr) {
          j[p.key] = *v;
        } else {
          j[p.key] = p.get(cell);
        }
    }
  }
  return j;
}

nlohmann::json cell_identity(const CellConfig& cell) {
  CellConfig c = cell;
  const ModelInfo& model = model_info(c.model);
  if (model.canonical != nullptr) model.canonical(c);
  if (!c.trials_auto) {  // the keys of trials = "auto" do nothing without it
    const CellConfig defaults;
    c.max_trials = defaults.max_trials;
    c.trials_step = defaults.trials_step;
    c.until = defaults.until;
    c.ci_halfwidth = defaults.ci_halfwidth;
  } else if (c.until == StopTarget::verdict) {
    c.ci_halfwidth = CellConfig{}.ci_halfwidth;
  }
  return cell_json(c);
}

void refuse_identical_cells(const std::vector<CellConfig>& cells) {
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const auto [it, fresh] = seen.emplace(cell_identity(cells[i]).dump(), i);
    if (fresh) continue;
    const nlohmann::json a = cell_json(cells[it->second]), b = cell_json(cells[i]);
    std::string keys;
    for (const auto& [k, v] : a.items())
      if (b.value(k, nlohmann::json()) != v) keys += (keys.empty() ? "" : ", ") + k;
    throw ConfigError("", "cells " + std::to_string(it->second) + " and " + std::to_string(i) +
                              " are the same cell once resolved" +
                              (keys.empty() ? std::string()
                                            : " (they differ only in " + keys +
                                                  ": equal values written two ways, or keys "
                                                  "these cells do not read)") +
                              ": they would run twice to the same numbers; remove one");
  }
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
  // What identifies the run (io/job.hpp): a later run into the same --out compares with it.
  if (!run.job.is_null()) {
    j["fingerprint"] = run.fingerprint;
    j["job"] = run.job;
  }
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
    e["stopped_by"] = s.stopped_by;
    for (std::size_t i = 0; i < model.columns.size(); ++i)
      e[model.columns[i].name] = model.columns[i].integer
                                     ? nlohmann::json(static_cast<std::int64_t>(s.values[i]))
                                     : json_number(s.values[i]);
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

void write_file_synced(const std::string& path, std::string_view contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw BackendError("cannot write '" + path + "': " + std::strerror(errno));
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = n < 0 ? std::strerror(errno) : "nothing written";
      ::close(fd);
      throw BackendError("cannot write '" + path + "': " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  // A full disk or a failing device may show only here (delayed allocation, NFS).
  if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    throw BackendError("cannot write '" + path + "': " + why);
  }
  if (::close(fd) != 0) throw BackendError("cannot write '" + path + "': " + std::strerror(errno));
}

void rename_synced(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    throw BackendError("cannot publish '" + to + "': " + std::strerror(errno));
  const std::filesystem::path dir = std::filesystem::absolute(to).parent_path();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {  // best effort: the file itself is synced
    ::fsync(fd);
    ::close(fd);
  }
}

void OutputDirectory::stage(const std::string& name, const std::string& contents) {
  const auto tmp = std::filesystem::path(path_) / (name + ".partial");
  staged_.push_back(name);
  write_file_synced(tmp.string(), contents);
}

void OutputDirectory::commit() {
  for (const auto& name : staged_) {
    const auto dir = std::filesystem::path(path_);
    rename_synced((dir / (name + ".partial")).string(), (dir / name).string());
  }
  committed_ = true;
}

std::string one_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
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
