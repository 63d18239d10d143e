// The job layer's sources (include/relusim/app/job.hpp): a cell given by flags, a sweep file,
// and the shard of a job.
#include <cstdlib>
#include <stdexcept>

#include "relusim/app/job.hpp"
#include "relusim/io/param_parsing.hpp"
#include "relusim/io/report.hpp"

namespace relusim {

CellConfig cell_from_values(const std::vector<std::pair<std::string, ParamValue>>& values,
                            const std::function<void(CellConfig&)>& adjust) {
  CellConfig cell;
  for (const auto& [key, value] : values)
    if (key == "model") set_parameter(cell, "model", value);
  for (const auto& [key, value] : values)
    find_parameter(cell.model, key);  // an unknown key, or another model's, is refused first
  for (const std::string& key : all_parameter_keys()) {
    if (key == "model") continue;
    for (const auto& [k, value] : values)
      if (k == key) set_parameter(cell, key, value);
  }
  if (adjust) adjust(cell);
  validate(cell);
  return cell;
}

JobSource cell_job_source(const CellConfig& cell) {
  nlohmann::json def;
  def["base"] = cell_json(cell);
  def["grid"] = nlohmann::json::object();
  JobSource source;
  source.command = "run";
  source.definition = def;
  return source;
}

namespace {

SweepJob sweep_job(SweepConfig s, const std::string& file, const std::string& trials_text) {
  std::int64_t trials_override = 0;
  if (!trials_text.empty()) {
    // The key's own reader and checks, as `run --trials` and the sweep file use them; each
    // cell is checked whole (the base alone need not be a valid cell before the grid applies).
    const ParamValue value = parse_param_text(find_parameter(s.base.model, "trials"), trials_text);
    set_parameter(s.base, "trials", value);
    trials_override = s.base.trials_auto ? kTrialsOverrideAuto : s.base.trials;
    for (auto& c : s.cells) {
      set_parameter(c, "trials", value);
      validate(c);
    }
  }
  refuse_identical_cells(s.cells);
  std::vector<std::string> swept;
  nlohmann::json def;
  def["file"] = file;
  def["base"] = cell_json(s.base);
  def["grid"] = nlohmann::json::object();
  if (!s.zip.empty()) def["zip"] = nlohmann::json::object();
  for (const auto* lists : {&s.zip, &s.axes}) {
    const char* table = lists == &s.zip ? "zip" : "grid";
    for (const auto& [key, values] : *lists) {
      swept.push_back(key);
      nlohmann::json list = nlohmann::json::array();
      for (const ParamValue& v : values) {
        CellConfig probe = s.base;  // cell_json lists the base model's keys
        set_parameter(probe, key, v);
        list.push_back(cell_json(probe)[key]);
      }
      def[table][key] = list;
    }
  }
  SweepJob job;
  job.source.file = file;
  job.source.text = s.text;
  job.source.trials_override = trials_override;
  job.source.definition = def;
  job.source.swept = swept;
  job.cells = std::move(s.cells);
  return job;
}

}  // namespace

SweepJob load_sweep_job(const std::string& file, const std::string& trials_text) {
  return sweep_job(load_sweep_file(file), file, trials_text);
}

SweepJob load_sweep_text_job(const std::string& text, const std::string& name,
                             const std::string& trials_text) {
  SweepConfig s = parse_sweep_text(text, name);
  s.text = text;
  return sweep_job(std::move(s), name, trials_text);
}

Part parse_shard(const std::string& spec) {
  if (spec.empty() || spec == "slurm") {
    const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
    const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
    const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");
    if (id == nullptr || count == nullptr)
      throw ConfigError("shard",
                        "give k/N, or run inside a Slurm job array (SLURM_ARRAY_TASK_ID and "
                        "SLURM_ARRAY_TASK_COUNT are not set)");
    const long k = std::atol(id) - (min != nullptr ? std::atol(min) : 0) + 1;
    const long n = std::atol(count);
    if (n < 1 || k < 1 || k > n)
      throw ConfigError("shard", "the Slurm array's task ids are not consecutive (task " +
                                     std::string(id) + " of " + count +
                                     "); give --shard k/N explicitly");
    return {static_cast<int>(k), static_cast<int>(n)};
  }
  const auto slash = spec.find('/');
  Part p;
  try {
    std::size_t used = 0;
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    p.index = std::stoi(spec.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("k");
    p.count = std::stoi(spec.substr(slash + 1), &used);
    if (used != spec.size() - slash - 1) throw std::invalid_argument("N");
  } catch (const std::exception&) {
    throw ConfigError("shard", "expected k/N (e.g. 2/8), got '" + spec + "'");
  }
  if (p.count < 1 || p.index < 1 || p.index > p.count)
    throw ConfigError("shard", "needs 1 <= k <= N in k/N, got '" + spec + "'");
  return p;
}

}  // namespace relusim
