// The CPU backend: trajectories of any registered model in parallel on all cores
// (engine/cpu_run.hpp, through the registry's entry for the model).
#include <memory>
#include <string>
#include <vector>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/thread_pool.hpp"
#include "relusim/models/finish.hpp"
#include "relusim/models/registry.hpp"

namespace relusim {
namespace {

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(int threads) : threads_(resolve_threads(threads)) {}

  std::string description() const override {
    return "cpu (" + std::to_string(threads_) + " thread" + (threads_ == 1 ? "" : "s") + ")";
  }

  std::string kind() const override { return "cpu"; }

  BatchResult run(const TrajectoryBatch& batch) override {
    return std::move(run_group({batch}).front());
  }

  /// One pool over all trajectories of the group, so many small cells keep every core busy.
  std::vector<BatchResult> run_group(const std::vector<TrajectoryBatch>& batches) override {
    if (batches.empty()) return {};
    const ModelEntry& m = model_entry(batches.front().cell->model);
    return run_and_finish(
        batches, [&](const std::vector<TrajectoryBatch>& run) { return m.run_cpu(run, threads_); });
  }

 private:
  int threads_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(int threads) {
  return std::make_unique<CpuBackend>(threads);
}

}  // namespace relusim
