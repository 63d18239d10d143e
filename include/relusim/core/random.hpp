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

#include <cstring>

#include "relusim/core/hd.hpp"

// The arithmetic normals' helpers are always inlined on the host: called out of line, the loops
// over them did not vectorise (W1 float took 0.22 s instead of 0.16 s). nvcc decides for itself
// (forcing them into the Model A kernel made it spill).
#if defined(__CUDACC__)
#define RELUSIM_NORMALS_INLINE inline
#else
#define RELUSIM_NORMALS_INLINE RELUSIM_INLINE
#endif

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
#if defined(__CUDA_ARCH__)
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(0xD2511F53u) * c.x;
    const std::uint64_t p1 = static_cast<std::uint64_t>(0xCD9E8D57u) * c.z;
    const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    c = {hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0};
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return c;
#else
  // The host keeps each word in 64 bits, of which only the low 32 count: a product's high
  // half rides above its low half until the next product masks it off. The words are the
  // same, and a loop over counters vectorises in 64-bit lanes, the lanes of the doubles the
  // words become, without repacking 32-bit lanes every round (the measurement is in
  // docs/benchmarks.md, "Measurements behind the code"). No branch inside: the loop vectorises.
  std::uint64_t x = c.x, y = c.y, z = c.z, w = c.w;
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = (x & 0xffffffffu) * 0xD2511F53u;
    const std::uint64_t p1 = (z & 0xffffffffu) * 0xCD9E8D57u;
    x = (p1 >> 32) ^ y ^ k0;
    y = p1;
    z = (p0 >> 32) ^ w ^ k1;
    w = p0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return {static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y),
          static_cast<std::uint32_t>(z), static_cast<std::uint32_t>(w)};
#endif
}

inline constexpr double kTwoPow53Inv = 1.1102230246251565e-16;  // CURAND_2POW53_INV_DOUBLE
using hd::kPi;  // the one definition of pi (core/hd.hpp)
static_assert(kPi == 3.1415926535897932, "cuRAND's CURAND_PI_DOUBLE is the same double");

/// cuRAND's _curand_uniform_double_hq: 53 bits from two words, in (0, 1).
RELUSIM_HD inline double uniform_double(std::uint32_t x, std::uint32_t y) {
  const std::uint64_t z = static_cast<std::uint64_t>(x) ^ (static_cast<std::uint64_t>(y) << 21);
  return hd::fma(static_cast<double>(z), kTwoPow53Inv, kTwoPow53Inv / 2.0);
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

namespace portable {

/// c_n x^n + ... + c_1 x + c_0 by Horner's rule, the coefficients from the highest power down:
/// one fused multiply-add a step (hd::fma).
RELUSIM_HD RELUSIM_NORMALS_INLINE double horner(double, double c) {
  return c;
}
template <class... C>
RELUSIM_HD RELUSIM_NORMALS_INLINE double horner(double x, double c_high, double c_next, C... rest) {
  return horner(x, hd::fma(c_high, x, c_next), rest...);
}

/// log(u) for u in (0, 1], in plain arithmetic (no libm call, so loops over it vectorise):
/// u = m 2^e with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(s), s = (m - 1)/(m + 1), |s| <= 0.172,
/// summed to s^23 (truncation below 1e-19). Within a few ulp of libm's log.
RELUSIM_HD RELUSIM_NORMALS_INLINE double log_unit(double u) {
  std::uint64_t bits = 0;
  memcpy(&bits, &u, sizeof bits);
  // The biased exponent as a double, from the bits of 2^52 + exponent (no integer conversion).
  const std::uint64_t ebits = 0x4330000000000000ull | ((bits >> 52) & 0x7ffu);
  double ed = 0.0;
  memcpy(&ed, &ebits, sizeof ed);
  bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
  double m = 0.0;
  memcpy(&m, &bits, sizeof m);
  const double big = m > 1.4142135623730951 ? 1.0 : 0.0;  // a select, not a branch
  m *= 1.0 - 0.5 * big;
  const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  const double p = horner(s2, 1.0 / 23.0, 1.0 / 21.0, 1.0 / 19.0, 1.0 / 17.0, 1.0 / 15.0,
                          1.0 / 13.0, 1.0 / 11.0, 1.0 / 9.0, 1.0 / 7.0, 1.0 / 5.0, 1.0 / 3.0, 1.0);
  const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  const double de = (ed - 4503599627370496.0 - 1023.0) + big;
  return hd::fma(de, ln2_hi, hd::fma(2.0 * s, p, de * ln2_lo));
}

/// (sin(pi v), cos(pi v)) for v in (0, 2), in plain arithmetic: v = q/2 + r with |r| <= 1/4,
/// Taylor series of x = pi r to x^19 and x^20 (truncation below 1e-20), rotated by quadrant q.
RELUSIM_HD RELUSIM_NORMALS_INLINE DrawPair sincospi_unit(double v) {
  const double q = static_cast<double>(static_cast<int>(hd::fma(2.0, v, 0.5)));
  const double x = hd::fma(-0.5, q, v) * kPi, x2 = x * x;
  // sin: x + x^3 (-1/3! + x^2/5! - ... - x^16/19!); cos: 1 + x^2 (-1/2! + x^2/4! - ... + x^18/20!).
  const double sn = hd::fma(x * x2,
                            horner(x2, -1.0 / 121645100408832000.0, 1.0 / 355687428096000.0,
                                   -1.0 / 1307674368000.0, 1.0 / 6227020800.0, -1.0 / 39916800.0,
                                   1.0 / 362880.0, -1.0 / 5040.0, 1.0 / 120.0, -1.0 / 6.0),
                            x);
  const double cs = hd::fma(x2,
                            horner(x2, 1.0 / 2432902008176640000.0, -1.0 / 6402373705728000.0,
                                   1.0 / 20922789888000.0, -1.0 / 87178291200.0, 1.0 / 479001600.0,
                                   -1.0 / 3628800.0, 1.0 / 40320.0, -1.0 / 720.0, 1.0 / 24.0, -0.5),
                            1.0);
  const int quadrant = static_cast<int>(q) & 3;
  const double a = (quadrant & 1) != 0 ? cs : sn;
  const double b = (quadrant & 1) != 0 ? sn : cs;
  return {(quadrant & 2) != 0 ? -a : a, ((quadrant + 1) & 2) != 0 ? -b : b};
}

}  // namespace portable

/// z < 2^53 as a double, exactly, by bit arithmetic (x86 before AVX-512 has no vector
/// conversion from 64-bit integers): 2^52 + floor(z / 2) is built from its bits.
RELUSIM_HD RELUSIM_NORMALS_INLINE double u53_to_double(std::uint64_t z) {
  const std::uint64_t bits = 0x4330000000000000ull | (z >> 1);
  double d = 0.0;
  memcpy(&d, &bits, sizeof d);
  return hd::fma(d - 4503599627370496.0, 2.0,
                 static_cast<double>(static_cast<std::int32_t>(z & 1u)));
}

/// Two N(0, 1) numbers at one address: the words of normal_pair (Philox4x32-10, cuRAND's double
/// Box-Muller) with log and sin/cos in plain arithmetic (portable::log_unit, sincospi_unit), so
/// loops over it vectorise and call no libm. They agree with normal_pair's to about 1e-15
/// relative (tests/test_random.cpp).
RELUSIM_HD RELUSIM_NORMALS_INLINE DrawPair normal_pair_arithmetic(const PhiloxAddress& a) {
  const PhiloxWords w =
      portable::philox4x32_10(philox_counter(a), static_cast<std::uint32_t>(a.seed),
                              static_cast<std::uint32_t>(a.seed >> 32));
  const std::uint64_t zx =
      static_cast<std::uint64_t>(w.x) ^ (static_cast<std::uint64_t>(w.y) << 21);
  const std::uint64_t zy =
      static_cast<std::uint64_t>(w.z) ^ (static_cast<std::uint64_t>(w.w) << 21);
  const double u = hd::fma(u53_to_double(zx), portable::kTwoPow53Inv, portable::kTwoPow53Inv / 2);
  const double v = hd::fma(u53_to_double(zy), portable::kTwoPow53Inv * 2.0, portable::kTwoPow53Inv);
  const double r = hd::sqrt(-2.0 * portable::log_unit(u));
  const DrawPair sc = portable::sincospi_unit(v);
  return {sc.x * r, sc.y * r};
}

/// Fills `out[0..n)` with row `row` of a stream of N(0, 1) numbers from normal_pair_arithmetic.
/// Model C draws its inputs with it: B x d normals per step are most of its CPU time.
template <class T>
RELUSIM_HD inline void fill_normal_row(std::uint64_t seed, std::uint32_t trajectory,
                                       StreamPurpose purpose, std::uint64_t row, int n, T* out) {
  const int pairs = n / 2;
  for (int c = 0; c < pairs; ++c) {
    const DrawPair p =
        normal_pair_arithmetic({seed, trajectory, purpose, row, static_cast<std::uint32_t>(c)});
    out[2 * c] = static_cast<T>(p.x);
    out[2 * c + 1] = static_cast<T>(p.y);
  }
  if ((n & 1) != 0)
    out[n - 1] = static_cast<T>(
        normal_pair_arithmetic({seed, trajectory, purpose, row, static_cast<std::uint32_t>(pairs)})
            .x);
}

/// Input distributions of MODEL.md §0.
enum class InputDistribution : int { gaussian = 0, uniform = 1 };

/// Two numbers of a stream at one address: N(0, 1) (normal_pair_arithmetic) or U(-1/2, 1/2).
RELUSIM_HD inline DrawPair stream_pair(const PhiloxAddress& a, InputDistribution dist) {
  if (dist == InputDistribution::gaussian) return normal_pair_arithmetic(a);
  DrawPair v = uniform_pair(a);
  v.x -= 0.5;
  v.y -= 0.5;
  return v;
}

/// Fills `out[0..n)` with row `row` of a stream: i.i.d. N(0, 1) or U(-1/2, 1/2) entries.
/// Entries 2c and 2c + 1 come from the Philox call at column c.
template <class T>
RELUSIM_HD inline void fill_random_row(std::uint64_t seed, std::uint32_t trajectory,
                                       StreamPurpose purpose, std::uint64_t row,
                                       InputDistribution dist, int n, T* out) {
  for (int j = 0; j < n; j += 2) {
    const DrawPair v =
        stream_pair({seed, trajectory, purpose, row, static_cast<std::uint32_t>(j / 2)}, dist);
    out[j] = static_cast<T>(v.x);
    if (j + 1 < n) out[j + 1] = static_cast<T>(v.y);
  }
}

/// Rows first_row + i of a stream, for i = i0, i0 + step, ... < rows, into column-major
/// storage: out[j * ld + i] is entry j of row first_row + i, the same number fill_random_row
/// writes. The loop over rows is the inner one, so with step 1 (a serial team) it runs in SIMD
/// lanes with contiguous stores, and with a team's stride the stores are coalesced.
template <class T>
RELUSIM_HD inline void fill_random_columns(std::uint64_t seed, std::uint32_t trajectory,
                                           StreamPurpose purpose, std::uint64_t first_row, int i0,
                                           int step, int rows, InputDistribution dist, int n,
                                           T* out, std::int64_t ld) {
  for (int j = 0; j < n; j += 2) {
    T* a = out + static_cast<std::int64_t>(j) * ld;
    T* b = j + 1 < n ? a + ld : nullptr;
    const auto c = static_cast<std::uint32_t>(j / 2);
    if (dist == InputDistribution::gaussian) {
#if !defined(__CUDA_ARCH__)
      // Serial team: the rows up to a multiple of kBlock (one vector of doubles), then the
      // last kBlock rows again as one more vector. It recomputes a few rows with the same
      // numbers, where the loop's remainder would draw them one at a time (a fifth of the
      // time at 100 rows).
      constexpr int kBlock = 8;
      if (step == 1 && rows - i0 > kBlock && (rows - i0) % kBlock != 0) {
        const auto draw = [&](int lo, int hi) {
          for (int i = lo; i < hi; ++i) {
            const DrawPair v = normal_pair_arithmetic(
                {seed, trajectory, purpose, first_row + static_cast<std::uint64_t>(i), c});
            a[i] = static_cast<T>(v.x);
            if (b != nullptr) b[i] = static_cast<T>(v.y);
          }
        };
        draw(i0, rows - (rows - i0) % kBlock);
        draw(rows - kBlock, rows);
        continue;
      }
#endif
      for (int i = i0; i < rows; i += step) {
        const DrawPair v = normal_pair_arithmetic(
            {seed, trajectory, purpose, first_row + static_cast<std::uint64_t>(i), c});
        a[i] = static_cast<T>(v.x);
        if (b != nullptr) b[i] = static_cast<T>(v.y);
      }
    } else {
      for (int i = i0; i < rows; i += step) {
        const DrawPair v =
            uniform_pair({seed, trajectory, purpose, first_row + static_cast<std::uint64_t>(i), c});
        a[i] = static_cast<T>(v.x - 0.5);
        if (b != nullptr) b[i] = static_cast<T>(v.y - 0.5);
      }
    }
  }
}

}  // namespace relusim
