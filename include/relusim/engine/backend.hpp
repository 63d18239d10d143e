// The backend interface (DESIGN.md rule 3): the driver hands a batch of trajectories of one cell
// to a backend and gets the batch's tally back, and one TrajectoryRecord per trajectory, in id
// order, when it asks for them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "relusim/engine/record.hpp"
#include "relusim/engine/tally.hpp"
#include "relusim/io/config.hpp"

namespace relusim {

/// Trajectories [first_id, first_id + count) of one cell.
struct TrajectoryBatch {
  const CellConfig* cell = nullptr;
  std::uint32_t first_id = 0;
  std::uint32_t count = 0;
  bool keep_records = true;   ///< return the per-trajectory records (else only the tally)
  bool keep_weights = false;  ///< also return the final weights (count x d)
};

struct BatchResult {
  CellTally tally;                        ///< the batch's records added up in id order
  std::vector<TrajectoryRecord> records;  ///< when keep_records
  std::vector<double> final_weights;      ///< when keep_weights (count x the model's weights)
};

class Backend {
 public:
  virtual ~Backend() = default;
  /// One line for the user: which device, how many threads.
  virtual std::string description() const = 0;
  /// "cpu" or "cuda": what a result's bits depend on (the journal's fingerprint records it).
  virtual std::string kind() const = 0;
  virtual BatchResult run(const TrajectoryBatch& batch) = 0;
  /// Runs batches of one launch shape together (plan.hpp); results in the batches' order.
  /// The default runs them one by one; backends that gain from one big launch override it.
  virtual std::vector<BatchResult> run_group(const std::vector<TrajectoryBatch>& batches) {
    std::vector<BatchResult> out;
    out.reserve(batches.size());
    for (const TrajectoryBatch& b : batches)
      out.push_back(run(b));
    return out;
  }
  /// How many trajectories this backend likes to get at once (the plan's batch and group cap).
  virtual std::uint32_t preferred_batch_trajectories() const { return 4096; }
};

enum class BackendKind { automatic, cpu, cuda };

/// Thrown for failures that are not bad input (exit code 1).
class BackendError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The CPU backend with `threads` workers (0: all hardware threads).
std::unique_ptr<Backend> make_cpu_backend(int threads);

/// What the performance model (engine/perf_model.hpp, docs/gpu.md) predicts for running
/// `cells` to their step budgets: seconds on an H100 and on `threads` CPU threads. `modelled`
/// is false when a cell's model states no step cost (Model C): then nothing is predicted.
struct BackendEstimate {
  double gpu_seconds = 0;
  double cpu_seconds = 0;
  bool modelled = false;
};
BackendEstimate estimate_backends(const std::vector<CellConfig>& cells, int threads);

/// `automatic` picks the GPU when one is usable and, given the cells, the performance model
/// predicts it faster than the CPU (or cannot tell), else the CPU; `note` says what was chosen
/// and why in one line. `cuda` without a device or without CUDA support throws BackendError.
std::unique_ptr<Backend> make_backend(BackendKind kind, int threads, std::string& note,
                                      const std::vector<CellConfig>* cells = nullptr);

/// A backend's name as the user writes it (auto, cpu, cuda); throws ConfigError("backend").
BackendKind backend_kind(const std::string& name);

}  // namespace relusim
