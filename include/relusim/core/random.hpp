// Counter-based random numbers (DESIGN.md rule 2): every draw is a pure function of
// (seed, trajectory id, purpose, row, column), computed with cuRAND's Philox4x32-10 device API,
// which compiles as host code too. Every draw is made in double and rounded to the run's
// precision afterwards, so float runs on the CPU and the GPU see the same numbers (cuRAND's float
// Box-Muller uses __sincosf on the device and sinf/cosf on the host; the double one is portable).
//
// Without the CUDA toolkit's headers (a CPU-only machine), the same generator and transforms come
// from relusim::portable below: a transcription of cuRAND's host code paths, bit-identical to
// them (tests/test_random.cpp compares the two wherever both exist).
#pragma once

#include "relusim/core/hd.hpp"

#if !defined(RELUSIM_NO_CURAND)
#include <curand_kernel.h>  // with QUALIFIERS from hd.hpp: usable as host code too
#endif

namespace relusim {

/// Four raw 32-bit words: the output of one Philox call.
struct PhiloxWords {
  std::uint32_t x, y, z, w;
};

/// Two numbers drawn together.
struct DrawPair {
  double x, y;
};

namespace portable {

/// Philox4x32-10 (Salmon et al. 2011) with cuRAND's constants and word order.
RELUSIM_HD inline PhiloxWords philox4x32_10(PhiloxWords c, std::uint32_t k0, std::uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const std::uint64_t p0 = static_cast<std::uint64_t>(0xD2511F53u) * c.x;
    const std::uint64_t p1 = static_cast<std::uint64_t>(0xCD9E8D57u) * c.z;
    const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    c = {hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0};
  }
  return c;
}

inline constexpr double kTwoPow53Inv = 1.1102230246251565e-16;  // CURAND_2POW53_INV_DOUBLE
inline constexpr double kPi = 3.1415926535897932;               // CURAND_PI_DOUBLE

/// cuRAND's _curand_uniform_double_hq: 53 bits from two words, in (0, 1).
RELUSIM_HD inline double uniform_double(std::uint32_t x, std::uint32_t y) {
  const std::uint64_t z = static_cast<std::uint64_t>(x) ^ (static_cast<std::uint64_t>(y) << 21);
  return static_cast<double>(z) * kTwoPow53Inv + kTwoPow53Inv / 2.0;
}

/// cuRAND's _curand_box_muller_double, host branch.
inline DrawPair box_muller_double(std::uint32_t x0, std::uint32_t x1, std::uint32_t y0,
                                  std::uint32_t y1) {
  const std::uint64_t zx = static_cast<std::uint64_t>(x0) ^ (static_cast<std::uint64_t>(x1) << 21);
  const double u = static_cast<double>(zx) * kTwoPow53Inv + kTwoPow53Inv / 2.0;
  const std::uint64_t zy = static_cast<std::uint64_t>(y0) ^ (static_cast<std::uint64_t>(y1) << 21);
  const double v = static_cast<double>(zy) * (kTwoPow53Inv * 2.0) + kTwoPow53Inv;
  const double s = std::sqrt(-2.0 * std::log(u));
  return {std::sin(v * kPi) * s, std::cos(v * kPi) * s};
}

}  // namespace portable

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

/// The counter of an address: (column, row low, row high | purpose << 24, trajectory).
RELUSIM_HD inline PhiloxWords philox_counter(const PhiloxAddress& a) {
  return {a.column, static_cast<std::uint32_t>(a.row),
          static_cast<std::uint32_t>(a.row >> 32) | (static_cast<std::uint32_t>(a.purpose) << 24),
          a.trajectory};
}

RELUSIM_HD inline PhiloxWords philox_words(const PhiloxAddress& a) {
  const PhiloxWords c = philox_counter(a);
  const auto k0 = static_cast<std::uint32_t>(a.seed);
  const auto k1 = static_cast<std::uint32_t>(a.seed >> 32);
#if !defined(RELUSIM_NO_CURAND)
  uint4 counter;
  counter.x = c.x;
  counter.y = c.y;
  counter.z = c.z;
  counter.w = c.w;
  uint2 key;
  key.x = k0;
  key.y = k1;
  const uint4 r = curand_Philox4x32_10(counter, key);
  return {r.x, r.y, r.z, r.w};
#else
  return portable::philox4x32_10(c, k0, k1);
#endif
}

/// Two independent standard normal numbers at one address (cuRAND's double Box-Muller).
RELUSIM_HD inline DrawPair normal_pair(const PhiloxAddress& a) {
  const PhiloxWords w = philox_words(a);
#if !defined(RELUSIM_NO_CURAND)
  const double2 r = _curand_box_muller_double(w.x, w.y, w.z, w.w);
  return {r.x, r.y};
#else
  return portable::box_muller_double(w.x, w.y, w.z, w.w);
#endif
}

/// Two independent uniform numbers in (0, 1) at one address (53-bit resolution).
RELUSIM_HD inline DrawPair uniform_pair(const PhiloxAddress& a) {
  const PhiloxWords w = philox_words(a);
  return {portable::uniform_double(w.x, w.y), portable::uniform_double(w.z, w.w)};
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
    DrawPair v;
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
