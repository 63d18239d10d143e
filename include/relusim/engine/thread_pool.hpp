// The CPU backend's thread pool: calls body(k, scratch) for every k in [0, count) on up to
// `threads` threads, each owning a scratch array; work is handed out in chunks of a few
// trajectories. The first exception stops the others and is rethrown to the caller.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace relusim {

/// `threads` if positive, else all hardware threads.
inline int resolve_threads(int threads) {
  return threads > 0 ? threads
                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

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

}  // namespace relusim
