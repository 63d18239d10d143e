// How trajectories map onto CUDA thread blocks (host code, tested on the CPU), for any model:
// one trajectory per block; the block's threads split the model's parallel work (rows of data,
// or coordinates in expected mode: M::parallel_work). The block size follows the performance
// model (engine/perf_model.hpp) where the model states its step's cost.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>

#include "relusim/engine/model.hpp"
#include "relusim/engine/perf_model.hpp"

namespace relusim {

/// Block sizes the CUDA backend is compiled for (32: the warp team).
inline constexpr int kBlockSizes[] = {32, 64, 128, 256};

/// The rule before the performance model, for a model without step_cost: the smallest compiled
/// size >= the parallel work (a model reports half its rows, so every thread gets at least
/// two), clamped to [32, 256].
inline int block_size_for_work(int work) {
  for (int b : kBlockSizes)
    if (b >= work) return b;
  return kBlockSizes[3];
}

/// Blocks per SM a kernel's register allocation must allow (its __launch_bounds__): a model's
/// kResidentThreads threads per SM, two thirds of them for the warp team (its fused
/// butterflies keep several sums in flight: at the full figure Model A's double warp kernel
/// spilled 32 bytes, at five sixths 8).
constexpr int min_blocks_per_sm(int resident_threads, int block) {
  return (block == 32 ? resident_threads * 2 / 3 : resident_threads) / block;
}

/// The registers per thread that allows: 65536 per SM, allocated in eights (at most 255).
constexpr int register_cap(int resident_threads, int block) {
  const int cap = 65536 / (min_blocks_per_sm(resident_threads, block) * block) / 8 * 8;
  return cap > 255 ? 248 : cap;
}

/// The block size the performance model predicts fastest for `trajectories` of one launch
/// shape: cost_at(block) -> StepCost (engine/perf_model.hpp) for each compiled size; the
/// first of equal rates (the narrowest) wins.
template <class CostAt>
int block_size_by_model(const CostAt& cost_at, std::int64_t trajectories) {
  int best = kBlockSizes[0];
  double best_rate = -1.0;
  for (int b : kBlockSizes) {
    const double rate = estimate_step(cost_at(b), b, trajectories).rate;
    if (rate > best_rate) {
      best_rate = rate;
      best = b;
    }
  }
  return best;
}

/// A model that states what a step costs on a block (engine/perf_model.hpp):
///   static StepCost step_cost(const Params&, int block, bool fp64)   host code
template <class M>
concept CostedModel = requires(const typename M::Params& p) {
  { M::step_cost(p, 32, true) } -> std::same_as<StepCost>;
};

/// The block size of `trajectories` of shape `p`: the performance model's choice for a model
/// that states its costs, the parallel work's otherwise.
template <class M>
int block_size_for(const typename M::Params& p, std::int64_t trajectories, bool fp64) {
  if constexpr (CostedModel<M>) {
    return block_size_by_model([&](int b) { return M::step_cost(p, b, fp64); }, trajectories);
  } else {
    return block_size_for_work(M::parallel_work(p));
  }
}

/// The device memory one launch group may take: half of what is free (the rest for cuBLAS, the
/// driver and whatever else runs on the device). Every runner sizes its waves against it.
inline std::int64_t device_budget_bytes(std::size_t free_bytes) {
  return static_cast<std::int64_t>(free_bytes / 2);
}

/// Trajectories per launch ("wave"): all of them when the workspaces fit in shared memory,
/// otherwise as many as fit in `budget_bytes` of global memory (at least one). `extra_bytes` is
/// what each trajectory needs besides its workspace (preparation, final weights, result record).
inline std::int64_t gpu_wave_size(std::int64_t trajectories, std::int64_t workspace_bytes,
                                  std::int64_t extra_bytes, bool in_shared_memory,
                                  std::int64_t budget_bytes) {
  const std::int64_t per = (in_shared_memory ? 0 : workspace_bytes) + extra_bytes;
  std::int64_t wave = per > 0 ? budget_bytes / per : trajectories;
  if (wave < 1) wave = 1;
  if (wave > trajectories) wave = trajectories;
  if (wave > (std::int64_t{1} << 20)) wave = std::int64_t{1} << 20;  // bounds the host staging too
  return wave;
}

}  // namespace relusim
