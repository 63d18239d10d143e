// The job layer: what `relusim run`, `sweep` and `merge` do, as a plain C++ API that the
// command line, examples/embed and the Python module call alike. A job is a list of cells run
// as a plan of batches on a backend, over MPI ranks when there are several, with its journal
// (resume after kill -9), its shard of the plan (sweep --shard k/N), stop requests (a signal,
// or the caller's own test) and its outputs published together (summary.csv, summary.json,
// trajectories.csv; shard.json for a shard). docs/scale-out.md describes the files.
//
// Messages ("relusim: ...") go to JobOptions::log; results come back in JobOutcome. Bad input
// throws ConfigError (or JournalError) before any work; a failure the ranks agreed on throws
// JobFailed on rank 0.
#pragma once
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/driver.hpp"
#include "relusim/engine/plan.hpp"
#include "relusim/io/config.hpp"
#include "relusim/io/job.hpp"
#include "relusim/io/report.hpp"

namespace relusim {

/// The most CPU threads a job accepts: each thread keeps its own scratch (up to the workspace
/// of one group of trajectories), so a mistyped count would exhaust memory or the system's
/// thread limit instead of running.
constexpr int kMaxThreads = 1024;
/// The largest batch: a batch's records stay in memory until the batch ends.
constexpr std::int64_t kMaxBatchTrajectories = std::int64_t{1} << 24;

/// How a job runs and where its files go.
struct JobOptions {
  BackendKind backend = BackendKind::automatic;
  int threads = 0;      ///< CPU backend threads; 0: all (shared among the node's MPI ranks)
  std::string out_dir;  ///< empty: nothing written (the results come back only)
  bool keep_trajectories = false;       ///< one record per trajectory (trajectories.csv with
                                        ///< out_dir; JobOutcome's results always)
  bool keep_weights = false;            ///< each trajectory's final weights (JobOutcome only)
  bool show_progress = false;           ///< a progress bar on `log`
  std::int64_t batch_trajectories = 0;  ///< 0: the backend's preference
  bool resume = false;                  ///< continue the journal in out_dir
  bool force = false;                   ///< replace another configuration's run in out_dir
  std::optional<Part> shard;            ///< run only this part of the plan (needs out_dir)
  std::string command;  ///< the command as a shell takes it (summary.json, resume hint)
  /// How to resume a stopped run, for the message; empty: `command` with --resume.
  std::string resume_hint;
  std::ostream* log = nullptr;  ///< messages; nullptr: std::cerr
  /// Asked between batch results on rank 0: true ends the job after the batches in flight
  /// (the journal keeps what completed). Empty: SIGINT and SIGTERM ask it (stop_signal()).
  std::function<bool()> stop_requested;
  /// Called on rank 0, on the calling thread, after each batch with (trajectories done, of
  /// this process's part); also once before the first batch.
  std::function<void(std::int64_t, std::int64_t)> on_progress;
};

/// How a job ended.
enum class JobStatus {
  complete,        ///< every batch ran; `results` holds the cells' results
  shard_complete,  ///< the shard's batches ran and are in its journal (merge joins the shards)
  stopped,         ///< a stop request ended it; the journal (with out_dir) keeps what ran
  other_rank,      ///< this process is not rank 0: rank 0's outcome is the job's
};

struct JobOutcome {
  JobStatus status = JobStatus::complete;
  int exit_code = 0;  ///< what the command line exits with (128 + signal when stopped)
  SweepPlan plan;
  std::vector<CellResult> results;      ///< per cell (complete only)
  std::vector<std::string> table_keys;  ///< the key columns of the table
  std::int64_t trajectories_done = 0;   ///< of this process's part, counting resumed ones
  std::int64_t trajectories_total = 0;  ///< in this process's part (all, without a shard)
  double seconds = 0.0;                 ///< the batches this call ran
  std::string backend_description;
  RunProvenance provenance;  ///< what summary.json records of the run (complete only)
};

/// A failure the ranks agreed on (opening the journal, the output directory): rank 0 throws it
/// after every rank learned of it. `code` is 2 for bad input, 1 otherwise.
class JobFailed : public std::runtime_error {
 public:
  JobFailed(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

/// A cell from keys and values (`relusim run`'s flags, the Python module's keyword arguments):
/// the model first, then every other key in the registry's order, each read as a sweep file
/// reads it; `adjust` (when given) runs before the cell is validated. Throws ConfigError naming
/// the key (an unknown key, a key of another model, a value of the wrong type).
CellConfig cell_from_values(const std::vector<std::pair<std::string, ParamValue>>& values,
                            const std::function<void(CellConfig&)>& adjust = {});

/// The source of a job of one cell (`relusim run`): summary.json's "sweep" entry holds the cell
/// as the base of an empty grid.
JobSource cell_job_source(const CellConfig& cell);

/// A sweep file read (load_sweep_file) with, when `trials_text` is not empty, every cell's trials
/// replaced (read as the key `trials` is; each cell checked whole). Identical cells are refused.
struct SweepJob {
  std::vector<CellConfig> cells;
  JobSource source;
};
SweepJob load_sweep_job(const std::string& file, const std::string& trials_text = {});
/// The same for a sweep given as TOML text (the Python module's base and grid); `name` stands
/// for the file in messages and summary.json.
SweepJob load_sweep_text_job(const std::string& text, const std::string& name,
                             const std::string& trials_text = {});

/// Writes a complete job's outputs (summary.csv, summary.json and, when it kept them,
/// trajectories.csv) into `dir`, as run_job does with out_dir.
void save_job_outputs(const JobOutcome& outcome, const JobSource& source, const std::string& dir,
                      bool keep_trajectories, std::ostream* log = nullptr);

/// --shard's text: "k/N", or "" / "slurm" for the Slurm job array's task (SLURM_ARRAY_TASK_ID
/// counted from SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT).
Part parse_shard(const std::string& spec);

/// Runs the cells (the job's plan, or its shard) and publishes the outputs in out_dir. With
/// several MPI ranks every rank calls it; rank 0's outcome is the job's.
JobOutcome run_job(std::vector<CellConfig> cells, const JobSource& source,
                   const JobOptions& options);

/// `relusim merge`: the shards' journals in `dirs`, checked against each other (missing,
/// duplicate, incomplete or foreign shards are refused), into the summary one process would
/// have written, in out_dir.
JobOutcome merge_shards(const std::vector<std::string>& dirs, const std::string& out_dir,
                        bool force, const std::string& command, std::ostream* log = nullptr);

/// Installs SIGINT and SIGTERM handlers that record the signal (a second one ends the process at
/// once); stop_signal() is the recorded signal, 0 while none came.
void install_stop_handlers();
int stop_signal();

}  // namespace relusim
