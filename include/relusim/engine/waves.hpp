// A launch group run in waves (the CUDA backend's host side, kept apart from the device calls so
// the CPU tests run it): the group's trajectories in launch order, cut into waves; each wave is
// handed to an executor, and what comes back (every trajectory's record, and final weights when
// asked for) is put where each batch expects it. A batch's tally is its records added up in id
// order, on the host, exactly as the CPU backend adds them: so it has the same bits whichever
// group or wave the batch ran in, which is what makes a sweep split over MPI ranks or shards
// give one process's summary on the GPU too (docs/scale-out.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "relusim/engine/backend.hpp"

namespace relusim {

/// One block's work: which batch (its cell's parameters), which trajectory.
struct LaunchItem {
  std::uint32_t param;
  std::uint32_t id;
};

/// What an executor returns for one wave of n items (host memory).
struct WaveOutput {
  std::vector<TrajectoryRecord> records;  ///< n, always
  std::vector<double> final_weights;      ///< n * d weights, when any batch keeps them
};

/// Runs `batches` (one launch shape, d final weights per trajectory) in waves of at most `wave`
/// items: exec(items, keys, n) runs items[0..n) whose batch indices are keys[0..n) and returns
/// their WaveOutput. Keys come in runs: a wave lists each batch's trajectories together, in id
/// order.
template <class Exec>
std::vector<BatchResult> run_in_waves(const std::vector<TrajectoryBatch>& batches, int d,
                                      std::int64_t wave, Exec&& exec) {
  std::vector<LaunchItem> items;
  std::vector<std::uint32_t> keys;
  std::vector<BatchResult> out(batches.size());
  for (std::uint32_t i = 0; i < batches.size(); ++i) {
    for (std::uint32_t k = 0; k < batches[i].count; ++k) {
      items.push_back({i, batches[i].first_id + k});
      keys.push_back(i);
    }
    if (batches[i].keep_records) out[i].records.resize(batches[i].count);
    if (batches[i].keep_weights)
      out[i].final_weights.resize(static_cast<std::size_t>(batches[i].count) * d);
  }
  const auto ud = static_cast<std::size_t>(d);
  const auto total = static_cast<std::int64_t>(items.size());
  for (std::int64_t begin = 0; begin < total; begin += wave) {
    const auto n = static_cast<std::size_t>(std::min(wave, total - begin));
    const auto b0 = static_cast<std::size_t>(begin);
    const WaveOutput w = exec(items.data() + b0, keys.data() + b0, n);
    for (std::size_t k = 0; k < n; ++k) {
      const LaunchItem item = items[b0 + k];
      const TrajectoryBatch& b = batches[item.param];
      const std::size_t local = item.id - b.first_id;
      add_record(out[item.param].tally, w.records[k]);
      if (b.keep_records) out[item.param].records[local] = w.records[k];
      if (b.keep_weights)
        std::copy_n(
            w.final_weights.begin() + static_cast<std::ptrdiff_t>(k * ud), ud,
            out[item.param].final_weights.begin() + static_cast<std::ptrdiff_t>(local * ud));
    }
  }
  return out;
}

}  // namespace relusim
