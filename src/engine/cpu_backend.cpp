// The CPU backend: trajectories of any model in parallel on all cores, one SerialTeam per
// trajectory. A trajectory's result depends only on its id, so any thread count gives the same
// records.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/engine/thread_pool.hpp"
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
    return with_model(batches.front().cell->model, [&](auto tag) {
      using M = typename decltype(tag)::type;
      return batches.front().cell->precision == Precision::f32 ? run_typed<M, float>(batches)
                                                               : run_typed<M, double>(batches);
    });
  }

 private:
  /// One pool over the group's trajectories; each runs as it would alone: a lane model's
  /// eligible cells across vector lanes, a team model on a SerialTeam, a wave model (Model C) as
  /// a wave of one. OpenBLAS (Model A's targets, Model C's waves) runs single-threaded inside, so
  /// a trajectory's numbers do not depend on the thread count.
  template <class M, class T>
  std::vector<BatchResult> run_typed(const std::vector<TrajectoryBatch>& batches) {
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
        counts, threads_, scratch_size,
        [&](std::size_t i, auto& take, [[maybe_unused]] T* scratch) {
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

  int threads_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(int threads) {
  return std::make_unique<CpuBackend>(threads);
}

}  // namespace relusim
