// Counter-based random numbers (DESIGN.md rule 2): every draw is a pure function of
// (seed, trajectory id, purpose, row, column), computed with cuRAND's Philox4x32-10 device API,
// which compiles as host code too. Every draw is made in double and rounded to the run's
// precision afterwards, so float runs on the CPU and the GPU see the same numbers (cuRAND's float
// Box-Muller uses __sincosf on the device and sinf/cosf on the host; the double one is portable).
#pragma once

#include "relusim/hd.hpp"

#if !defined(QUALIFIERS)
#if defined(__CUDACC__)
#define QUALIFIERS static __forceinline__ __host__ __device__
#else
#define QUALIFIERS static inline
#endif
#endif
#include <curand_kernel.h>

namespace relusim {

/// What a stream of random numbers is used for; part of the Philox counter.
enum class StreamPurpose : std::uint32_t {
  teacher = 1,    ///< the random teacher direction
  init = 2,       ///< the initial student weights
  design = 3,     ///< the fixed design matrix X (fixed mode)
  minibatch = 4,  ///< the fresh samples of online mode; row = step * B + b
  test = 15,      ///< reserved for tests
};

/// The address of four raw 32-bit words: one Philox call.
struct PhiloxAddress {
  std::uint64_t seed;
  std::uint32_t trajectory;
  StreamPurpose purpose;
  std::uint64_t row;     ///< < 2^40
  std::uint32_t column;  ///< index of the 4-word block within the row
};

RELUSIM_HD inline uint4 philox_words(const PhiloxAddress& a) {
  uint4 counter;
  counter.x = a.column;
  counter.y = static_cast<std::uint32_t>(a.row);
  counter.z =
      static_cast<std::uint32_t>(a.row >> 32) | (static_cast<std::uint32_t>(a.purpose) << 24);
  counter.w = a.trajectory;
  uint2 key;
  key.x = static_cast<std::uint32_t>(a.seed);
  key.y = static_cast<std::uint32_t>(a.seed >> 32);
  return curand_Philox4x32_10(counter, key);
}

/// Two independent standard normal numbers at one address (cuRAND's double Box-Muller).
RELUSIM_HD inline double2 normal_pair(const PhiloxAddress& a) {
  const uint4 w = philox_words(a);
  return _curand_box_muller_double(w.x, w.y, w.z, w.w);
}

/// Two independent uniform numbers in (0, 1) at one address (53-bit resolution).
RELUSIM_HD inline double2 uniform_pair(const PhiloxAddress& a) {
  const uint4 w = philox_words(a);
  double2 r;
  r.x = _curand_uniform_double_hq(w.x, w.y);
  r.y = _curand_uniform_double_hq(w.z, w.w);
  return r;
}

/// Input distributions of MODEL.md §0.
enum class InputDistribution : int { gaussian = 0, uniform = 1 };

/// Fills `out[0..n)` with row `row` of a stream: i.i.d. N(0, 1) or U(-1/2, 1/2) entries.
template <class T>
RELUSIM_HD inline void fill_random_row(std::uint64_t seed, std::uint32_t trajectory,
                                       StreamPurpose purpose, std::uint64_t row,
                                       InputDistribution dist, int n, T* out) {
  for (int j = 0; j < n; j += 2) {
    const PhiloxAddress a{seed, trajectory, purpose, row, static_cast<std::uint32_t>(j / 2)};
    double2 v;
    if (dist == InputDistribution::gaussian) {
      v = normal_pair(a);
    } else {
      v = uniform_pair(a);
      v.x -= 0.5;
      v.y -= 0.5;
    }
    out[j] = static_cast<T>(v.x);
    if (j + 1 < n) out[j + 1] = static_cast<T>(v.y);
  }
}

}  // namespace relusim
