// The CUDA Teams (core/team.hpp): one thread block advances one trajectory.
//
// CudaWarpTeam (a block of 32 threads): sync() is __syncwarp(), a reduction is a __syncwarp()
// (shuffles order no memory) and a butterfly of __shfl_xor_sync (offsets 16, 8, 4, 2, 1) that
// leaves the sum in every lane: no shared memory and no block barrier.
// CudaTeam<kBlock> (64 threads and more): the same butterfly within each warp, then lane 0 of
// each warp writes its sums to shared memory, one __syncthreads, and every thread adds the
// warps' sums in warp order. A fused reduction (reduce_sums) carries up to kMaxFused values in
// that one barrier; the partial sums alternate between two buffers, so no second barrier is
// needed before the next reduction (core/team.hpp).
// Both sum in the order ThreadedTeam uses for sizes that are multiples of 32, so the CPU's
// 32-wide team is the warp team's emulation.
#pragma once

#include <type_traits>

#include "relusim/core/team.hpp"

namespace relusim {

/// The butterfly sum over a warp; every lane gets the same bits (IEEE addition commutes).
template <class U>
__device__ __forceinline__ U warp_butterfly_sum(U v) {
  for (int off = 16; off > 0; off /= 2)
    v = v + __shfl_xor_sync(0xffffffffu, v, off);
  return v;
}

class CudaWarpTeam {
 public:
  static constexpr bool is_serial = false;
  struct Shared {};  // nothing: lanes exchange through registers

  __device__ explicit CudaWarpTeam(Shared&) {}

  __device__ int rank() const { return static_cast<int>(threadIdx.x); }
  __device__ int size() const { return 32; }
  __device__ void sync() { __syncwarp(); }

  // A reduction is a barrier round of the team (core/team.hpp): what a lane wrote before it,
  // every lane reads after it. Shuffles exchange registers but order no memory, so each
  // reduction starts with __syncwarp(), which does.
  template <class U>
  __device__ U reduce_sum(U v) {
    __syncwarp();
    return warp_butterfly_sum(v);
  }
  template <class U, int N>
  __device__ void reduce_sums(U (&v)[N]) {
    __syncwarp();
#pragma unroll
    for (int k = 0; k < N; ++k)
      v[k] = warp_butterfly_sum(v[k]);
  }
  template <class U, int N, int M>
  __device__ void reduce_sums(U (&v)[N], int (&c)[M]) {
    reduce_sums(v);
#pragma unroll
    for (int k = 0; k < M; ++k)
      c[k] = warp_butterfly_sum(c[k]);
  }
};

template <int kBlock>
class CudaTeam {
 public:
  static_assert(kBlock % 32 == 0 && kBlock > 32, "a block team is whole warps (32: CudaWarpTeam)");
  static constexpr bool is_serial = false;
  static constexpr int kWarps = kBlock / 32;

  /// Shared memory of the team: two buffers of per-warp partial sums.
  struct Shared {
    union {
      double f64[2][kMaxFused][kWarps];
      float f32[2][kMaxFused][kWarps];
    } real;
    int i32[2][kMaxFused][kWarps];
  };

  __device__ explicit CudaTeam(Shared& shared) : shared_(&shared) {}

  __device__ int rank() const { return static_cast<int>(threadIdx.x); }
  __device__ int size() const { return kBlock; }
  __device__ void sync() { __syncthreads(); }

  /// Sum over the block (U = double, float or int), returned to every thread.
  template <class U>
  __device__ U reduce_sum(U v) {
    U a[1] = {v};
    int none[1] = {0};
    fused<U, 1, 0>(a, none);
    return a[0];
  }
  template <class U, int N>
  __device__ void reduce_sums(U (&v)[N]) {
    int none[1] = {0};
    fused<U, N, 0>(v, none);
  }
  template <class U, int N, int M>
  __device__ void reduce_sums(U (&v)[N], int (&c)[M]) {
    fused<U, N, M>(v, c);
  }

 private:
  template <class U, int N, int M, int C>
  __device__ void fused(U (&v)[N], int (&c)[C]) {
    static_assert(N + M <= kMaxFused, "a fused reduction carries at most kMaxFused values");
    const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
    auto& real = slots<U>()[parity_];
    auto& ints = shared_->i32[parity_];
    parity_ ^= 1;
#pragma unroll
    for (int k = 0; k < N; ++k) {
      const U s = warp_butterfly_sum(v[k]);
      if (lane == 0) real[k][warp] = s;
    }
#pragma unroll
    for (int k = 0; k < M; ++k) {
      const int s = warp_butterfly_sum(c[k]);
      if (lane == 0) ints[k][warp] = s;
    }
    __syncthreads();
#pragma unroll
    for (int k = 0; k < N; ++k) {
      U acc = real[k][0];
#pragma unroll 1  // one warp's sum at a time: unrolled, the loads of every sum took registers
      for (int w = 1; w < kWarps; ++w)
        acc = acc + real[k][w];
      v[k] = acc;
    }
#pragma unroll
    for (int k = 0; k < M; ++k) {
      int acc = 0;
      for (int w = 0; w < kWarps; ++w)
        acc += ints[k][w];
      c[k] = acc;
    }
  }

  template <class U>
  __device__ auto& slots() {
    if constexpr (std::is_same_v<U, double>) {
      return shared_->real.f64;
    } else if constexpr (std::is_same_v<U, float>) {
      return shared_->real.f32;
    } else {
      static_assert(std::is_same_v<U, int>, "CudaTeam reduces double, float and int");
      return shared_->i32;
    }
  }

  Shared* shared_;
  int parity_ = 0;  // which buffer the next reduction uses (the same in every thread)
};

/// The team of a block of kBlock threads.
template <int kBlock>
using CudaTeamFor = std::conditional_t<kBlock == 32, CudaWarpTeam, CudaTeam<kBlock>>;

}  // namespace relusim
