// The Team concept (DESIGN.md rule 1): the group of workers that advances one trajectory.
//
//   int rank() const; int size() const;       // this worker, and how many there are
//   void sync();                              // barrier over the team
//   U reduce_sum(U v);                        // sum over the team, returned to every rank;
//                                             // the order of summation is fixed by the team
//   void reduce_sums(U (&v)[N]);              // a fused reduction: each v[k] becomes its sum
//   void reduce_sums(U (&v)[N], int (&c)[M]); // over the team, all in one barrier round
//                                             // (N + M <= kMaxFused)
//   static constexpr bool is_serial;          // size() == 1 known at compile time
//
// A reduction costs one barrier round: its partial sums go to one of two alternating buffers,
// so the next reduction never overwrites what a slow rank is still reading (two reductions on
// one buffer always have the other's barrier between them).
//
// The CUDA team is a thread block (kernels/cuda_team.cuh), or one warp (shuffles, no shared
// memory) when the block is 32 threads. On the CPU, SerialTeam runs a
// trajectory in one thread (the production path); ThreadedTeam (team_threaded.hpp) runs the
// block-parallel algorithm on std::threads so strided loops, reductions and barriers are tested.
#pragma once

#include "relusim/core/hd.hpp"

namespace relusim {

/// The most values one fused reduction carries (reduce_sums).
inline constexpr int kMaxFused = 8;

struct SerialTeam {
  static constexpr bool is_serial = true;
  RELUSIM_HD int rank() const { return 0; }
  RELUSIM_HD int size() const { return 1; }
  RELUSIM_HD void sync() {}
  template <class U>
  RELUSIM_HD U reduce_sum(U v) {
    return v;
  }
  template <class U, int N>
  RELUSIM_HD void reduce_sums(U (&)[N]) {}
  template <class U, int N, int M>
  RELUSIM_HD void reduce_sums(U (&)[N], int (&)[M]) {}
};

/// Dot product of two length-n vectors over the team (strided partial sums, then a reduction).
template <class T, class Team>
RELUSIM_HD inline T team_dot(Team& team, const T* a, const T* b, int n) {
  T acc = T(0);
  for (int j = team.rank(); j < n; j += team.size())
    acc = hd::fma(a[j], b[j], acc);
  return team.reduce_sum(acc);
}

}  // namespace relusim
