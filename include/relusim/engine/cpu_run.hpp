// The CPU backend's run of one launch group for a model M (engine/backend.hpp): one pool over
// all trajectories of the group, so many small cells keep every core busy. The registry
// (models/registry.hpp) instantiates it for each model it knows, a test's model included; a
// trajectory's result depends only on its id, so any thread count gives the same records.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "relusim/core/blas_ops_host.hpp"  // host_blas_single_threaded
#include "relusim/engine/backend.hpp"
#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/engine/model.hpp"
#include "relusim/engine/thread_pool.hpp"
#include "relusim/io/config.hpp"

namespace relusim {

/// One pool over the group's trajectories; each runs as it would alone: a lane model's
/// eligible cells across vector lanes, a team model on a SerialTeam, a wave model (Model C) as
/// a wave of one. OpenBLAS (Model A's targets, Model C's waves) runs single-threaded inside, so
/// a trajectory's numbers do not depend on the thread count.
template <class M, class T>
std::vector<BatchResult> cpu_run_typed(const std::vector<TrajectoryBatch>& batches, int threads) {
  std::vector<typename M::Params> params;
  std::vector<BatchResult> out(batches.size());
  std::size_t scratch_size = 0;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    const TrajectoryBatch& b = batches[i];
    if (b.cell->precision != batches.front().cell->precision ||
        b.cell->model != batches.front().cell->model)
      throw BackendError("run_group: batches of one group must share model and precision");
    params.push_back(ModelHost<M>::resolve(*b.cell));
    if constexpr (!WaveModel<M>)
      scratch_size =
          std::max(scratch_size, static_cast<std::size_t>(M::workspace_size(params.back(), 1)));
    out[i].records.resize(b.count);
    if (b.keep_weights)
      out[i].final_weights.resize(static_cast<std::size_t>(b.count) *
                                  M::weight_count(params.back()));
  }
  host_blas_single_threaded();  // OpenBLAS inside a trajectory (targets, waves) stays serial
  std::vector<std::uint32_t> counts;
  for (const TrajectoryBatch& b : batches)
    counts.push_back(b.count);
  parallel_over_batches<T>(
      counts, threads, scratch_size, [&](std::size_t i, auto& take, [[maybe_unused]] T* scratch) {
        const typename M::Params& p = params[i];
        const TrajectoryBatch& b = batches[i];
        BatchResult& o = out[i];
        const auto weights_of = [&](std::uint32_t k) {
          return b.keep_weights
                     ? o.final_weights.data() + static_cast<std::size_t>(k) * M::weight_count(p)
                     : nullptr;
        };
        if constexpr (LaneModel<M>) {
          if (ModelHost<M>::lanes_eligible(p)) {  // every trajectory it takes, across lanes
            ModelHost<M>::template run_lanes<T>(
                p,
                [&]() -> std::optional<std::uint32_t> {
                  const std::optional<std::uint32_t> k = take();
                  if (!k) return std::nullopt;
                  return b.first_id + *k;
                },
                [&](const TrajectoryRecord& r, const double* fw) {
                  const std::uint32_t k = r.id - b.first_id;
                  o.records[k] = r;
                  if (double* w = weights_of(k)) std::copy(fw, fw + M::weight_count(p), w);
                },
                static_cast<NoObserver*>(nullptr));
            return;
          }
        }
        while (const std::optional<std::uint32_t> k = take()) {
          if constexpr (WaveModel<M>) {
            o.records[*k] =
                ModelHost<M>::template run_wave<T>({p}, {0}, {b.first_id + *k}, weights_of(*k))
                    .front();
          } else {
            SerialTeam team;
            o.records[*k] =
                run_team_trajectory<M, T>(team, p, b.first_id + *k, scratch,
                                          static_cast<NoObserver*>(nullptr), weights_of(*k));
          }
        }
      });
  for (std::size_t i = 0; i < batches.size(); ++i) {
    for (const TrajectoryRecord& r : out[i].records)
      add_record(out[i].tally, r);
    if (!batches[i].keep_records) out[i].records = {};
  }
  return out;
}

/// The group in the precision of its cells (all of one model and precision).
template <class M>
std::vector<BatchResult> cpu_run_group(const std::vector<TrajectoryBatch>& batches, int threads) {
  if (batches.empty()) return {};
  return batches.front().cell->precision == Precision::f32
             ? cpu_run_typed<M, float>(batches, threads)
             : cpu_run_typed<M, double>(batches, threads);
}

}  // namespace relusim
