// ThreadedTeam: a CPU team of several std::threads sharing one trajectory, used by the tests to
// run the block-parallel algorithm (strided loops, barriers, reductions) exactly as a CUDA block
// would, under ThreadSanitizer too. Host only.
#pragma once

#include <barrier>
#include <functional>
#include <thread>
#include <vector>

namespace relusim {

class ThreadedTeam {
 public:
  static constexpr bool is_serial = false;

  /// State shared by the members of one team.
  struct Shared {
    explicit Shared(int size) : barrier(size), slots(static_cast<std::size_t>(size)) {}
    std::barrier<> barrier;
    std::vector<double> slots;  // one reduction slot per rank
  };

  ThreadedTeam(Shared& shared, int rank) : shared_(&shared), rank_(rank) {}

  int rank() const { return rank_; }
  int size() const { return static_cast<int>(shared_->slots.size()); }
  void sync() { shared_->barrier.arrive_and_wait(); }

  /// Sum in rank order (deterministic); every rank gets the result.
  template <class U>
  U reduce_sum(U v) {
    shared_->slots[static_cast<std::size_t>(rank_)] = static_cast<double>(v);
    sync();
    U acc = U(0);
    for (double s : shared_->slots)
      acc += static_cast<U>(s);
    sync();  // nobody overwrites a slot before everyone has read them all
    return acc;
  }

 private:
  Shared* shared_;
  int rank_;
};

/// Runs `body(team)` on `size` threads forming one team; returns when all have finished.
inline void run_threaded_team(int size, const std::function<void(ThreadedTeam&)>& body) {
  ThreadedTeam::Shared shared(size);
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(size));
  for (int r = 0; r < size; ++r) {
    threads.emplace_back([&shared, &body, r] {
      ThreadedTeam team(shared, r);
      body(team);
    });
  }
  for (auto& t : threads)
    t.join();
}

}  // namespace relusim
