// The CPU backend: trajectories in parallel on all cores, one SerialTeam per trajectory.
// A trajectory's result depends only on its id, so any thread count gives the same records.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/cpu_trajectory.hpp"

namespace relusim {
namespace {

int resolve_threads(int threads) {
  return threads > 0 ? threads
                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

/// Calls body(k, scratch) for every k in [0, count) on up to `threads` threads. Each thread owns
/// a scratch array of `scratch_size` T's; work is handed out in chunks of a few trajectories.
/// The first exception stops the others and is rethrown here.
template <class T, class Body>
void parallel_over_trajectories(std::uint32_t count, int threads, std::size_t scratch_size,
                                Body body) {
  constexpr std::uint32_t kChunk = 8;
  std::atomic<std::uint32_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    try {
      std::vector<T> scratch(scratch_size);
      for (;;) {
        const std::uint32_t begin = next.fetch_add(kChunk);
        if (begin >= count) break;
        const std::uint32_t end = std::min(count, begin + kChunk);
        for (std::uint32_t k = begin; k < end; ++k)
          body(k, scratch.data());
      }
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next.store(count);
    }
  };
  const int n_threads = static_cast<int>(
      std::min<std::uint32_t>(static_cast<std::uint32_t>(threads), (count + kChunk - 1) / kChunk));
  std::vector<std::thread> pool;
  for (int t = 1; t < n_threads; ++t)
    pool.emplace_back(worker);
  worker();
  for (auto& t : pool)
    t.join();
  if (error) std::rethrow_exception(error);
}

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(int threads) : threads_(resolve_threads(threads)) {}

  std::string description() const override {
    return "cpu (" + std::to_string(threads_) + " thread" + (threads_ == 1 ? "" : "s") + ")";
  }

  BatchResult run(const TrajectoryBatch& batch) override {
    return std::move(run_group({batch}).front());
  }

  /// One pool over all trajectories of the group, so many small cells keep every core busy.
  std::vector<BatchResult> run_group(const std::vector<TrajectoryBatch>& batches) override {
    if (batches.empty()) return {};
    return batches.front().cell->precision == Precision::f32 ? run_typed<float>(batches)
                                                             : run_typed<double>(batches);
  }

 private:
  template <class T>
  std::vector<BatchResult> run_typed(const std::vector<TrajectoryBatch>& batches) {
    std::vector<ModelAParams> params;
    std::vector<std::uint32_t> starts;  // prefix sums of the counts
    std::vector<BatchResult> out(batches.size());
    std::uint32_t total = 0;
    std::size_t scratch_size = 0;
    for (std::size_t i = 0; i < batches.size(); ++i) {
      const TrajectoryBatch& b = batches[i];
      if (b.cell->precision != batches.front().cell->precision)
        throw BackendError("run_group: batches of one group must share their precision");
      params.push_back(resolve(*b.cell));
      starts.push_back(total);
      total += b.count;
      scratch_size = std::max(scratch_size,
                              static_cast<std::size_t>(model_a_workspace_size(params.back(), 1)));
      out[i].records.resize(b.count);
      if (b.keep_weights)
        out[i].final_weights.resize(static_cast<std::size_t>(b.count) * params.back().d);
    }
    parallel_over_trajectories<T>(total, threads_, scratch_size, [&](std::uint32_t g, T* scratch) {
      const auto i = static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), g) -
                                              starts.begin() - 1);
      const std::uint32_t k = g - starts[i];
      const ModelAParams& p = params[i];
      BatchResult& o = out[i];
      SerialTeam team;
      double* w = batches[i].keep_weights
                      ? o.final_weights.data() + static_cast<std::size_t>(k) * p.d
                      : nullptr;
      o.records[k] = run_model_a_trajectory<T>(team, p, batches[i].first_id + k, scratch,
                                               static_cast<NoObserver*>(nullptr), w);
    });
    for (std::size_t i = 0; i < batches.size(); ++i) {
      for (const TrajectoryRecord& r : out[i].records)
        out[i].tally = out[i].tally + tally_of(r);
      if (!batches[i].keep_records) out[i].records = {};
    }
    return out;
  }

  int threads_;
};

template <class T>
std::vector<TargetInfo> batch_targets_typed(const ModelAParams& p, std::uint32_t first_id,
                                            std::uint32_t count, int threads) {
  std::vector<TargetInfo> out(count);
  const auto scratch_size = static_cast<std::size_t>(model_a_workspace_size(p, 1));
  parallel_over_trajectories<T>(count, threads, scratch_size, [&](std::uint32_t k, T* scratch) {
    SerialTeam team;
    const ModelAWorkspace<T> ws = model_a_workspace<T>(p, 1, scratch);
    model_a_setup(team, p, first_id + k, ws);
    out[k] = model_a_target(p, ws);
  });
  return out;
}

}  // namespace

std::vector<TargetInfo> model_a_batch_targets(const ModelAParams& p, Precision precision,
                                              std::uint32_t first_id, std::uint32_t count,
                                              int threads) {
  threads = resolve_threads(threads);
  return precision == Precision::f32 ? batch_targets_typed<float>(p, first_id, count, threads)
                                     : batch_targets_typed<double>(p, first_id, count, threads);
}

std::unique_ptr<Backend> make_cpu_backend(int threads) {
  return std::make_unique<CpuBackend>(threads);
}

}  // namespace relusim
