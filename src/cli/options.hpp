// Options several commands share, and the checks CLI11 lacks.
#pragma once
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "relusim/app/job.hpp"
#include "relusim/io/config.hpp"

namespace relusim::cli {

/// Options shared by run and sweep.
struct CommonOptions {
  std::string backend = "auto";
  int threads = 0;
  std::string out_dir;
  bool write_trajectories = false;
  std::string progress = "auto";
  std::int64_t batch_trajectories = 0;  // 0: the backend's preference
  bool resume = false;
  bool force = false;  // replace a finished run of another configuration in --out
};

/// A check that an integer option is at least `low` (and at most `high`), with a one-line
/// message (CLI11's NonNegativeNumber and PositiveNumber print the range up to the largest
/// double).
CLI::Validator at_least(long long low, long long high = std::numeric_limits<long long>::max());

/// "at most 1024" (the --threads help).
std::string threads_limit();

void add_common_options(CLI::App& app, CommonOptions& o);

/// Whether a --progress choice shows progress bars (auto: when stderr is a terminal).
bool show_progress(const std::string& progress);

/// The job options of run and sweep.
JobOptions job_options(const CommonOptions& o, const std::string& command);

/// Adds one --KEY option per parameter of any model; values are kept as text and parsed once
/// the model is known. A key several models share with different meanings lists each.
void add_cell_options(CLI::App& app, std::map<std::string, std::string>& values);

/// The cell the given --KEY options describe, `adjust`ed (when given) and validated.
CellConfig cell_from_options(const std::map<std::string, std::string>& values, CLI::App& app,
                             const std::function<void(CellConfig&)>& adjust = {});

/// A job's outcome on the command line: the table on stdout when complete; the exit code.
int finish_job(const JobOutcome& outcome);

}  // namespace relusim::cli
