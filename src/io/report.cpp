#include "relusim/io/report.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "relusim/models/a/theory.hpp"

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

std::vector<std::string> table_keys(const std::vector<std::string>& swept) {
  if (!swept.empty()) return swept;
  return {"N", "d", "mode", "regularizer", "lambda"};
}

void print_table(std::ostream& os, const std::vector<CellConfig>& cells,
                 const std::vector<CellResult>& results, const std::vector<std::string>& keys) {
  std::vector<std::string> header = keys;
  for (const char* h : {"trials", "conv", "div", "dead", "stuck", "undec", "rate", "95% CI",
                        "bound", "theorem", "verdict", "in-Omega", "steps", "PD", "lam-ok"})
    header.emplace_back(h);
  std::vector<std::vector<std::string>> rows;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const CellSummary& s = results[c].summary;
    std::vector<std::string> row;
    for (const auto& k : keys)
      row.push_back(find_parameter(k).get(cells[c]));
    row.push_back(std::to_string(s.trials));
    for (auto n : s.counts)
      row.push_back(std::to_string(n));
    row.push_back(fixed(s.rate, 3));
    row.push_back("[" + fixed(s.ci.lo, 3) + ", " + fixed(s.ci.hi, 3) + "]");
    row.push_back(fixed(s.bound.value, 3));
    row.push_back(s.bound.name);
    row.push_back(s.verdict);
    row.push_back(fixed(s.frac_in_omega, 3));
    row.push_back(fixed(s.mean_steps_to_converge, 0));
    row.push_back(fixed(s.frac_positive_definite, 3));
    row.push_back(fixed(s.frac_within_bound, 3));
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
  bool as_printed = false;
  for (const auto& cell : cells)
    as_printed = as_printed || (cell.convention == Convention::as_printed &&
                                cell.regularizer != Regularizer::none && cell.lambda > 0.0);
  if (as_printed)
    os << "note: convention as-printed adds +(lambda/2) dR/dw to the update (Kong (5) as printed),"
          " which is not gradient descent on the regularised loss.\n";
}

std::string summary_csv(const std::vector<CellConfig>& cells,
                        const std::vector<CellResult>& results) {
  std::ostringstream os;
  os << "cell";
  for (const auto& p : cell_parameters())
    os << ',' << p.key;
  os << ",trials";
  for (int o = 0; o < kOutcomeCount; ++o)
    os << ',' << to_string(static_cast<Outcome>(o));
  os << ",rate,ci_low,ci_high,bound,theorem,verdict,frac_in_omega,mean_steps_to_converge,"
        "frac_positive_definite,frac_lambda_within_bound,frac_target_valid,mean_final_distance\n";
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const CellSummary& s = results[c].summary;
    os << c;
    for (const auto& p : cell_parameters())
      os << ',' << csv_field(p.get(cells[c]));
    os << ',' << s.trials;
    for (auto n : s.counts)
      os << ',' << n;
    os << ',' << number(s.rate) << ',' << number(s.ci.lo) << ',' << number(s.ci.hi) << ','
       << number(s.bound.value) << ',' << s.bound.name << ',' << s.verdict << ','
       << number(s.frac_in_omega) << ',' << number(s.mean_steps_to_converge) << ','
       << number(s.frac_positive_definite) << ',' << number(s.frac_within_bound) << ','
       << number(s.frac_target_valid) << ',' << number(s.mean_final_distance) << '\n';
  }
  return os.str();
}

nlohmann::json cell_json(const CellConfig& cell) {
  nlohmann::json j;
  for (const auto& p : cell_parameters()) {
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
      counts[to_string(static_cast<Outcome>(o))] = s.counts[static_cast<std::size_t>(o)];
    e["counts"] = counts;
    e["rate"] = json_number(s.rate);
    e["ci95"] = {s.ci.lo, s.ci.hi};
    e["bound"] = json_number(s.bound.value);
    e["theorem"] = s.bound.name;
    e["verdict"] = s.verdict;
    e["frac_in_omega"] = json_number(s.frac_in_omega);
    e["mean_steps_to_converge"] = json_number(s.mean_steps_to_converge);
    e["frac_positive_definite"] = json_number(s.frac_positive_definite);
    e["frac_lambda_within_bound"] = json_number(s.frac_within_bound);
    e["frac_target_valid"] = json_number(s.frac_target_valid);
    e["mean_final_distance"] = json_number(s.mean_final_distance);
    // What the configuration resolves to: the numbers the dynamics and the bounds used.
    const ModelAParams p = resolve(cells[c]);
    e["resolved"] = {{"init_radius", p.init_radius},
                     {"init_sigma", p.init_sigma},
                     {"teacher_norm", teacher_norm_of(cells[c])},
                     {"effective_lambda", p.lambda},
                     {"a_d", a_k(cells[c].n_samples, cells[c].d)},
                     {"p_positive_definite", 1.0 - a_k(cells[c].n_samples, cells[c].d - 1)}};
    arr.push_back(e);
  }
  j["cells"] = arr;
  return j;
}

std::string trajectories_csv(const std::vector<CellConfig>& cells,
                             const std::vector<CellResult>& results) {
  std::ostringstream os;
  os << "cell,trajectory,outcome,steps,steps_to_converge,final_distance,final_angle,final_loss,"
        "grad_norm,started_in_omega,positive_definite,target_valid,lambda_within_bound,"
        "lambda_bound\n";
  os << std::setprecision(10);
  for (std::size_t c = 0; c < cells.size(); ++c) {
    for (const TrajectoryRecord& r : results[c].records) {
      const bool checked = r.design_checked;
      os << c << ',' << r.id << ',' << to_string(r.result.outcome) << ',' << r.result.steps << ','
         << r.result.steps_to_converge << ',' << number(r.result.distance) << ','
         << number(r.result.angle) << ',' << number(r.result.loss) << ','
         << number(r.result.grad_norm) << ',' << int(r.result.started_in_omega) << ','
         << (checked ? std::to_string(int(r.positive_definite)) : "") << ',' << int(r.target_valid)
         << ',' << (checked ? std::to_string(int(r.lambda_within_bound)) : "") << ','
         << (checked ? number(r.lambda_bound) : "") << '\n';
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

}  // namespace relusim
