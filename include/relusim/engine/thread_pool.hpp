// The CPU backend's thread pool: hands out the trajectories of one or several batches to up to
// `threads` threads, each owning a scratch array, one trajectory at a time (a lane group takes
// one whenever a lane is free). The first exception stops the others and is rethrown to the
// caller.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace relusim {

/// `threads` if positive, else all hardware threads.
inline int resolve_threads(int threads) {
  return threads > 0 ? threads
                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

/// Hands out the trajectories of several batches (counts[i] of batch i) to up to `threads`
/// threads: work(i, take, scratch) is called with a batch that has trajectories left, and
/// take() returns that batch's next index (std::optional, empty once the batch is used up;
/// other threads may take from the same batch meanwhile). The threads start at batches spread
/// over the list and move on cyclically, so each mostly works on batches of its own. `scratch`
/// holds scratch_size T's owned by the thread. The first exception stops the others (they finish
/// what they hold) and is rethrown to the caller.
template <class T, class Work>
void parallel_over_batches(const std::vector<std::uint32_t>& counts, int threads,
                           std::size_t scratch_size, Work work) {
  const std::size_t nb = counts.size();
  std::vector<std::atomic<std::uint64_t>> next(nb);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < nb; ++i) {
    next[i].store(0);
    total += counts[i];
  }
  if (total == 0) return;
  std::exception_ptr error;
  std::mutex error_mutex;
  const int n_threads = static_cast<int>(
      std::min<std::uint64_t>(static_cast<std::uint64_t>(std::max(1, threads)), total));
  auto worker = [&](int w) {
    try {
      std::vector<T> scratch(scratch_size);
      const std::size_t first =
          static_cast<std::size_t>(w) * nb / static_cast<std::size_t>(n_threads);
      for (std::size_t s = 0; s < nb; ++s) {
        const std::size_t i = (first + s) % nb;
        if (next[i].load(std::memory_order_relaxed) >= counts[i]) continue;
        auto take = [&]() -> std::optional<std::uint32_t> {
          const std::uint64_t k = next[i].fetch_add(1, std::memory_order_relaxed);
          if (k >= counts[i]) return std::nullopt;
          return static_cast<std::uint32_t>(k);
        };
        work(i, take, scratch.data());
      }
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      for (std::size_t i = 0; i < nb; ++i)
        next[i].store(counts[i]);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < n_threads; ++t)
    pool.emplace_back(worker, t);
  worker(0);
  for (auto& t : pool)
    t.join();
  if (error) std::rethrow_exception(error);
}

/// Calls body(k, scratch) for every k in [0, count): parallel_over_batches with one batch.
template <class T, class Body>
void parallel_over_trajectories(std::uint32_t count, int threads, std::size_t scratch_size,
                                Body body) {
  parallel_over_batches<T>({count}, threads, scratch_size,
                           [&](std::size_t, auto& take, T* scratch) {
                             while (const std::optional<std::uint32_t> k = take())
                               body(*k, scratch);
                           });
}

}  // namespace relusim
