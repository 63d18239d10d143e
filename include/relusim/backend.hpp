// The backend interface (DESIGN.md rule 3): the driver hands a batch of trajectories of one cell
// to a backend and gets one TrajectoryRecord per trajectory back, in id order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "relusim/config.hpp"
#include "relusim/model_a.hpp"

namespace relusim {

/// Everything recorded about one trajectory.
struct TrajectoryRecord {
  std::uint32_t id = 0;
  TrajectoryResult result;
  bool design_checked = false;      ///< fixed mode: the flags below were computed
  bool positive_definite = false;   ///< X^T D* X positive definite
  bool lambda_within_bound = true;  ///< lambda <= Kong's bound
  bool target_valid = true;         ///< w_hat found and D(w_hat) = D*
  double lambda_bound = 0.0;
};

/// Trajectories [first_id, first_id + count) of one cell.
struct TrajectoryBatch {
  const CellConfig* cell = nullptr;
  std::uint32_t first_id = 0;
  std::uint32_t count = 0;
  bool keep_weights = false;  ///< also return the final weights (count x d)
};

struct BatchResult {
  std::vector<TrajectoryRecord> records;
  std::vector<double> final_weights;
};

class Backend {
 public:
  virtual ~Backend() = default;
  /// One line for the user: which device, how many threads.
  virtual std::string description() const = 0;
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

/// `automatic` picks the GPU when one is usable, else the CPU; `note` says what was chosen.
/// `cuda` without a device or without CUDA support throws BackendError.
std::unique_ptr<Backend> make_backend(BackendKind kind, int threads, std::string& note);

}  // namespace relusim
