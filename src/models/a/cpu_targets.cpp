// Model A's targets of many trajectories on the host, on all cores (the CUDA backend's path for
// the online and expected modes).
#include "relusim/core/blas_ops_host.hpp"
#include "relusim/engine/thread_pool.hpp"
#include "relusim/models/a/host.hpp"

namespace relusim {
namespace {

template <class T>
std::vector<TargetInfo> batch_targets_typed(const ModelAParams& p, std::uint32_t first_id,
                                            std::uint32_t count, int threads) {
  std::vector<TargetInfo> out(count);
  const auto scratch_size = static_cast<std::size_t>(ModelA::workspace_size(p, 1));
  parallel_over_trajectories<T>(count, threads, scratch_size, [&](std::uint32_t k, T* scratch) {
    SerialTeam team;
    const ModelAWorkspace<T> ws = ModelA::carve<T>(p, 1, scratch);
    ModelA::setup(team, p, first_id + k, ws);
    out[k] = model_a_target(p, ws);
  });
  return out;
}

}  // namespace

std::vector<TargetInfo> model_a_batch_targets(const ModelAParams& p, Precision precision,
                                              std::uint32_t first_id, std::uint32_t count,
                                              int threads) {
  threads = resolve_threads(threads);
  host_blas_single_threaded();
  return precision == Precision::f32 ? batch_targets_typed<float>(p, first_id, count, threads)
                                     : batch_targets_typed<double>(p, first_id, count, threads);
}

}  // namespace relusim
