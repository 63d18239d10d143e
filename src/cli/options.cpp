// Options several commands share (src/cli/options.hpp).
#include "options.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <vector>

#include "relusim/io/param_parsing.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/model_info.hpp"

namespace relusim::cli {

CLI::Validator at_least(long long low, long long high) {
  return CLI::Validator(
      [low, high](std::string& text) -> std::string {
        long long value = 0;
        if (!CLI::detail::lexical_cast(text, value)) return "'" + text + "' is not an integer";
        if (value < low) return "must be >= " + std::to_string(low) + ", got " + text;
        if (value > high) return "must be <= " + std::to_string(high) + ", got " + text;
        return {};
      },
      low == 0 ? "NONNEGATIVE" : (low == 1 ? "POSITIVE" : "AT LEAST " + std::to_string(low)));
}

std::string threads_limit() {
  return "at most " + std::to_string(kMaxThreads);
}

void add_common_options(CLI::App& app, CommonOptions& o) {
  app.add_option("--backend", o.backend,
                 "where trajectories run: auto (GPU if usable, else CPU), cpu, cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  app.add_option("--threads", o.threads,
                 "CPU backend threads (0 = all hardware threads; " + threads_limit() + ")")
      ->check(at_least(0, kMaxThreads))
      ->capture_default_str();
  app.add_option(
      "--out", o.out_dir,
      "directory for summary.csv and summary.json (written only when the run completes)");
  app.add_flag("--trajectories", o.write_trajectories,
               "also write trajectories.csv (one row per trajectory) into --out");
  app.add_option("--progress", o.progress,
                 "progress bar on stderr: auto (when stderr is a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  app.add_option("--batch-trajectories", o.batch_trajectories,
                 "trajectories handed to the backend at once; 0 = the backend's preference (CPU "
                 "4096, CUDA 65536), raised where a sweep would need more than 2^20 batches; at "
                 "most 2^24. Results do not depend on it.")
      ->check(at_least(0, kMaxBatchTrajectories))
      ->capture_default_str();
  app.add_flag("--resume", o.resume,
               "continue the run whose journal is in --out DIR (after kill -9, a signal or a "
               "wall-time limit): only the missing batches run, and the summary is the one an "
               "uninterrupted run writes");
  app.add_flag("--force", o.force,
               "replace what --out DIR holds from a run of another configuration (its summary "
               "files and journal); without it such a directory is refused");
}

bool show_progress(const std::string& progress) {
  return progress == "always" || (progress == "auto" && isatty(STDERR_FILENO));
}

JobOptions job_options(const CommonOptions& o, const std::string& command) {
  if (o.write_trajectories && o.out_dir.empty())
    throw ConfigError("out", "--trajectories needs --out DIR (trajectories.csv is written there)");
  JobOptions j;
  j.backend = backend_kind(o.backend);
  j.threads = o.threads;
  j.out_dir = o.out_dir;
  j.keep_trajectories = o.write_trajectories;
  j.show_progress = show_progress(o.progress);
  j.batch_trajectories = o.batch_trajectories;
  j.resume = o.resume;
  j.force = o.force;
  j.command = command;
  return j;
}

void add_cell_options(CLI::App& app, std::map<std::string, std::string>& values) {
  for (const std::string& key : all_parameter_keys()) {
    const auto regs = parameter_registrations(key);
    const ParamInfo& first = *regs.front().second;
    std::string help;
    std::vector<std::string> seen;
    std::vector<std::string> helps;
    for (const auto& [model, info] : regs)
      if (std::find(helps.begin(), helps.end(), info->help) == helps.end())
        helps.push_back(info->help);
    for (const auto& [model, info] : regs) {
      if (std::find(seen.begin(), seen.end(), info->help) != seen.end()) continue;
      seen.push_back(info->help);
      std::string h = info->help;
      if (helps.size() > 1 && h.rfind("model ", 0) != 0) h = "model " + model + ": " + h;
      if (!info->choices.empty() && key != "model") {
        h += " {";
        for (std::size_t i = 0; i < info->choices.size(); ++i)
          h += (i ? "," : "") + info->choices[i];
        h += "}";
      }
      help += (help.empty() ? "" : "\n") + h;
    }
    if (key == "model") {  // each model's one-line summary (models/model_info.hpp)
      help = "model:";
      for (const std::string& m : model_names())
        help += " " + m + " = " + model_info(m).summary + (m == model_names().back() ? "" : ";");
    }
    if (regs.size() < model_names().size()) {
      // "(model A)", "(models A and B)": a list of models never reads like the key B.
      std::string owners;
      for (std::size_t i = 0; i < regs.size(); ++i)
        owners += (i == 0 ? "" : (i + 1 == regs.size() ? " and " : ", ")) + regs[i].first;
      if (help.rfind("model ", 0) != 0)
        help = std::string(regs.size() > 1 ? "(models " : "(model ") + owners + ") " + help;
    }
    const char* type = "TEXT";
    switch (first.type) {
      case ParamType::integer:
        type = "INT";
        break;
      case ParamType::integer_or_auto:
        type = "INT|auto";
        break;
      case ParamType::real:
        type = "FLOAT";
        break;
      case ParamType::boolean:
        type = "BOOL";
        break;
      case ParamType::choice:
        type = "NAME";
        break;
      case ParamType::vector_or_choice:
        type = "NAME|VECTOR";
        break;
    }
    CellConfig defaults;
    if (regs.front().first != defaults.model) set_parameter(defaults, "model", regs.front().first);
    app.add_option("--" + key, values[key], help)
        ->type_name(type)
        ->default_str(first.get(defaults));
  }
}

CellConfig cell_from_options(const std::map<std::string, std::string>& values, CLI::App& app,
                             const std::function<void(CellConfig&)>& adjust) {
  // The model decides how the other flags' text reads.
  std::string model = CellConfig{}.model;
  std::vector<std::pair<std::string, ParamValue>> given;
  if (app.get_option("--model")->count() > 0) {
    const ParamValue m = parse_param_text(common_parameter("model"), values.at("model"));
    CellConfig probe;
    set_parameter(probe, "model", m);
    model = probe.model;
    given.emplace_back("model", m);
  }
  for (const std::string& key : all_parameter_keys()) {
    if (key == "model" || app.get_option("--" + key)->count() == 0) continue;
    given.emplace_back(key, parse_param_text(find_parameter(model, key), values.at(key)));
  }
  return cell_from_values(given, adjust);
}

int finish_job(const JobOutcome& outcome) {
  if (outcome.status == JobStatus::complete)
    print_table(std::cout, outcome.plan.cells, outcome.results, outcome.table_keys);
  return outcome.exit_code;
}

}  // namespace relusim::cli
