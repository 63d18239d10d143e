// How trajectories map onto CUDA thread blocks (host code, tested on the CPU), for any model:
// one trajectory per block; the block's threads split the model's parallel work (rows of data,
// or coordinates in expected mode: M::parallel_work).
#pragma once

#include <cstddef>
#include <cstdint>

namespace relusim {

/// Block sizes the CUDA backend is compiled for.
inline constexpr int kBlockSizes[] = {32, 64, 128, 256};

/// The block size rule: the smallest compiled size >= the parallel work (a model reports half
/// its rows, so every thread gets at least two), clamped to [32, 256]. A warp is the smallest
/// unit; 256 keeps the per-block reductions short and lets several blocks share an SM.
inline int block_size_for_work(int work) {
  for (int b : kBlockSizes)
    if (b >= work) return b;
  return kBlockSizes[3];
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
