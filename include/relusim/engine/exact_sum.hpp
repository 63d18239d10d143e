// An exact sum of doubles (a Kulisch accumulator): every finite double is an integer multiple of
// 2^-1074 below 2^1024, so a two's-complement integer of 34 64-bit limbs holds any sum of up to
// 2^63 of them without rounding. Integer addition is associative, so a tally's sums have the
// same bits whatever the order and grouping of its terms: any batch size, thread count, shard
// split or MPI rank count gives the same summary, to the last bit that summary.csv prints
// (MODEL.md §5). Rounding happens once, when the sum is read (value()). Host code: tallies are
// added on the host (engine/tally.hpp).
#pragma once

#include <cstdint>
#include <cstring>

namespace relusim {

struct ExactSum {
  static constexpr int kLimbs = 34;  ///< 2176 bits: 2^2098 (a term's range) times 2^63 terms
  std::uint64_t limb[kLimbs] = {};   ///< little-endian two's complement, units of 2^-1074

  /// Adds a finite double exactly (the caller keeps NaN and infinities out).
  void add(double x) {
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    const bool negative = (bits >> 63) != 0;
    const int biased = static_cast<int>((bits >> 52) & 0x7ffu);
    std::uint64_t m = bits & ((std::uint64_t{1} << 52) - 1u);
    if (biased != 0) m |= std::uint64_t{1} << 52;
    if (m == 0) return;
    // x = m 2^(biased - 1075) (normal) or m 2^-1074 (subnormal): m 2^shift in units of 2^-1074.
    const int shift = biased == 0 ? 0 : biased - 1;
    const int at = shift / 64, bit = shift % 64;
    const std::uint64_t lo = m << bit;
    const std::uint64_t hi = bit == 0 ? 0u : m >> (64 - bit);
    if (negative) {
      subtract_at(at, lo, hi);
    } else {
      add_at(at, lo, hi);
    }
  }

  ExactSum& operator+=(const ExactSum& o) {
    std::uint64_t carry = 0;
    for (int i = 0; i < kLimbs; ++i) {
      const std::uint64_t a = limb[i], s = a + o.limb[i];
      const std::uint64_t t = s + carry;
      carry = (s < a ? 1u : 0u) + (t < s ? 1u : 0u);
      limb[i] = t;
    }
    return *this;
  }

  bool operator==(const ExactSum& o) const {
    for (int i = 0; i < kLimbs; ++i)
      if (limb[i] != o.limb[i]) return false;
    return true;
  }

  /// The sum rounded to the nearest double (ties to even); +-inf past the double range.
  double value() const {
    const bool negative = (limb[kLimbs - 1] >> 63) != 0;
    std::uint64_t mag[kLimbs];
    std::uint64_t carry = 1;
    for (int i = 0; i < kLimbs; ++i) {  // |sum|: negate in two's complement when negative
      const std::uint64_t v = negative ? ~limb[i] : limb[i];
      mag[i] = negative ? v + carry : v;
      if (negative) carry = (carry != 0u && mag[i] == 0u) ? 1u : 0u;
    }
    int top = kLimbs - 1;
    while (top >= 0 && mag[top] == 0u)
      --top;
    if (top < 0) return 0.0;
    const int lead = 63 - count_leading_zeros(mag[top]);
    const int msb = top * 64 + lead;  // the highest set bit
    // The 53 bits from msb down, the round bit below them and whether anything lower is set.
    std::uint64_t mant = 0;
    bool round = false, sticky = false;
    for (int b = msb; b >= 0; --b) {
      const bool set = ((mag[b / 64] >> (b % 64)) & 1u) != 0u;
      const int k = msb - b;
      if (k < 53) {
        mant = (mant << 1) | (set ? 1u : 0u);
      } else if (k == 53) {
        round = set;
      } else if (set) {
        sticky = true;
        break;
      }
    }
    int exponent = msb - 52 - 1074;  // value = mant 2^exponent before rounding
    if (msb < 52) {  // fewer than 53 significant bits: exact, a subnormal's multiple of 2^-1074
      exponent = -1074;
    } else if (round && (sticky || (mant & 1u) != 0u)) {
      ++mant;
      if (mant == (std::uint64_t{1} << 53)) {
        mant >>= 1;
        ++exponent;
      }
    }
    // mant 2^exponent: scale in steps that stay exact (every partial product is representable).
    double v = static_cast<double>(mant);
    while (exponent > 0) {
      const int step = exponent > 1000 ? 1000 : exponent;
      v *= pow2(step);
      exponent -= step;
    }
    while (exponent < 0) {
      // Down to the subnormals: the last step lands on mant 2^-1074 exactly (mant < 2^53).
      const int step = exponent < -1000 ? 1000 : -exponent;
      v *= 1.0 / pow2(step);
      exponent += step;
    }
    return negative ? -v : v;
  }

 private:
  static int count_leading_zeros(std::uint64_t v) {
    int n = 0;
    for (std::uint64_t probe = std::uint64_t{1} << 63; probe != 0u && (v & probe) == 0u;
         probe >>= 1)
      ++n;
    return n;
  }
  static double pow2(int e) {  // 2^e for 0 <= e <= 1000, exactly
    double p = 1.0, base = 2.0;
    for (; e > 0; e >>= 1) {
      if ((e & 1) != 0) p *= base;
      base *= base;
    }
    return p;
  }
  void add_at(int at, std::uint64_t lo, std::uint64_t hi) {
    std::uint64_t s = limb[at] + lo;
    std::uint64_t carry = s < lo ? 1u : 0u;
    limb[at] = s;
    for (int i = at + 1; i < kLimbs && (carry != 0u || i == at + 1); ++i) {
      const std::uint64_t add = (i == at + 1 ? hi : 0u);
      const std::uint64_t a = limb[i], t = a + add;
      const std::uint64_t u = t + carry;
      carry = (t < a ? 1u : 0u) + (u < t ? 1u : 0u);
      limb[i] = u;
    }
  }
  void subtract_at(int at, std::uint64_t lo, std::uint64_t hi) {
    std::uint64_t borrow = limb[at] < lo ? 1u : 0u;
    limb[at] -= lo;
    for (int i = at + 1; i < kLimbs && (borrow != 0u || i == at + 1); ++i) {
      const std::uint64_t sub = (i == at + 1 ? hi : 0u);
      const std::uint64_t a = limb[i];
      const std::uint64_t t = a - sub;
      const std::uint64_t b1 = a < sub ? 1u : 0u;
      const std::uint64_t u = t - borrow;
      const std::uint64_t b2 = t < borrow ? 1u : 0u;
      borrow = b1 + b2;
      limb[i] = u;
    }
  }
};

}  // namespace relusim
