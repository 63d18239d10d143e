// ThreadedTeam: a CPU team of several std::threads sharing one trajectory, used by the tests to
// run the block-parallel algorithm (strided loops, barriers, reductions) exactly as a CUDA block
// would, under ThreadSanitizer too. Host only.
//
// Reductions sum in the CUDA team's order when the size is a multiple of 32: within each group
// of 32 ranks the butterfly of __shfl_xor_sync (offsets 16, 8, 4, 2, 1), then the groups in
// order, as kernels/engine/cuda_team.cuh does. A 32-wide team is therefore the CPU emulation
// of the warp team; other sizes sum in rank order. Each reduction is one barrier round, its
// partial sums in one of two alternating buffers (core/team.hpp). The team counts its barriers
// and reductions (engine/team_census.hpp reads them).
#pragma once

#include <atomic>
#include <barrier>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "relusim/core/team.hpp"

namespace relusim {

class ThreadedTeam {
 public:
  static constexpr bool is_serial = false;

  /// State shared by the members of one team.
  struct Shared {
    explicit Shared(int size)
        : barrier(size), slots(2 * static_cast<std::size_t>(size) * kMaxFused), members(size) {}
    std::barrier<> barrier;
    std::vector<double> slots;  // two buffers of kMaxFused slots per rank
    int members;
    // What the team did, counted by rank 0 (every rank makes the same calls): barriers (sync()
    // and one per reduction) and team reductions (a fused one counts once).
    std::atomic<std::int64_t> barriers{0};
    std::atomic<std::int64_t> reductions{0};
  };

  ThreadedTeam(Shared& shared, int rank) : shared_(&shared), rank_(rank) {}

  int rank() const { return rank_; }
  int size() const { return shared_->members; }
  void sync() {
    if (rank_ == 0) shared_->barriers.fetch_add(1, std::memory_order_relaxed);
    shared_->barrier.arrive_and_wait();
  }

  /// Sum over the team; every rank gets the result.
  template <class U>
  U reduce_sum(U v) {
    U a[1] = {v};
    int none[1] = {0};
    reduce_fused<U, 1, 0>(a, none);
    return a[0];
  }
  template <class U, int N>
  void reduce_sums(U (&v)[N]) {
    int none[1] = {0};
    reduce_fused<U, N, 0>(v, none);
  }
  template <class U, int N, int M>
  void reduce_sums(U (&v)[N], int (&c)[M]) {
    reduce_fused<U, N, M>(v, c);
  }

 private:
  template <class U, int N, int M, int C>
  void reduce_fused(U (&v)[N], int (&c)[C]) {
    static_assert(N + M <= kMaxFused, "a fused reduction carries at most kMaxFused values");
    if (rank_ == 0) shared_->reductions.fetch_add(1, std::memory_order_relaxed);
    double* buf = shared_->slots.data() +
                  static_cast<std::size_t>(parity_) * static_cast<std::size_t>(size()) * kMaxFused;
    parity_ ^= 1;
    double* mine = buf + static_cast<std::size_t>(rank_) * kMaxFused;
    for (int k = 0; k < N; ++k)
      mine[k] = static_cast<double>(v[k]);
    for (int k = 0; k < M; ++k)
      mine[N + k] = static_cast<double>(c[k]);
    sync();
    for (int k = 0; k < N; ++k)
      v[k] = sum_slot<U>(buf, k);
    for (int k = 0; k < M; ++k)
      c[k] = sum_slot<int>(buf, N + k);
  }

  /// Slot k over the ranks, in U, in the team's order (see the top of the file).
  template <class U>
  U sum_slot(const double* buf, int k) const {
    const int n = size();
    auto at = [&](int r) {
      return static_cast<U>(buf[static_cast<std::size_t>(r) * kMaxFused + k]);
    };
    if (n % 32 != 0) {
      U acc = U(0);
      for (int r = 0; r < n; ++r)
        acc += at(r);
      return acc;
    }
    U acc = U(0);
    for (int w = 0; w < n; w += 32) {
      U lane[32];
      for (int l = 0; l < 32; ++l)
        lane[l] = at(w + l);
      for (int off = 16; off > 0; off /= 2)
        for (int l = 0; l < off; ++l)
          lane[l] = lane[l] + lane[l + off];  // lane l after the round: v_l + v_(l ^ off)
      acc = w == 0 ? lane[0] : acc + lane[0];
    }
    return acc;
  }

  Shared* shared_;
  int rank_;
  int parity_ = 0;  // which buffer the next reduction uses (the same on every rank)
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
