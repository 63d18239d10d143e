// The Philox streams: pure functions of their address, right distributions; the ball sampler.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>

#include "relusim/models/a/dynamics.hpp"
#include "relusim/core/random.hpp"
#include "relusim/models/a/theory.hpp"

namespace relusim {
namespace {

TEST(Random, DrawsArePureFunctionsOfTheirAddress) {
  const PhiloxAddress a{42, 7, StreamPurpose::design, 123, 4};
  const DrawPair first = normal_pair(a);
  (void)normal_pair({42, 8, StreamPurpose::design, 123, 4});  // no hidden state
  const DrawPair again = normal_pair(a);
  EXPECT_EQ(first.x, again.x);
  EXPECT_EQ(first.y, again.y);
  // Each component of the address changes the draw.
  EXPECT_NE(normal_pair({43, 7, StreamPurpose::design, 123, 4}).x, first.x);
  EXPECT_NE(normal_pair({42, 6, StreamPurpose::design, 123, 4}).x, first.x);
  EXPECT_NE(normal_pair({42, 7, StreamPurpose::init, 123, 4}).x, first.x);
  EXPECT_NE(normal_pair({42, 7, StreamPurpose::design, 124, 4}).x, first.x);
  EXPECT_NE(normal_pair({42, 7, StreamPurpose::design, 123 + (1ull << 32), 4}).x, first.x);
  EXPECT_NE(normal_pair({42, 7, StreamPurpose::design, 123, 5}).x, first.x);
}

TEST(Random, PortablePhiloxIsBitIdenticalToCurand) {
#if defined(RELUSIM_NO_CURAND)
  GTEST_SKIP() << "built without cuRAND's headers: the portable generator is the only one";
#else
  std::uint32_t state = 12345;  // a cheap LCG to spread counters and keys
  auto next = [&state] { return state = state * 1664525u + 1013904223u; };
  for (int i = 0; i < 100000; ++i) {
    const PhiloxWords c{next(), next(), next(), next()};
    const std::uint32_t k0 = next(), k1 = next();
    const PhiloxWords p = portable::philox4x32_10(c, k0, k1);
    uint4 cc;
    cc.x = c.x;
    cc.y = c.y;
    cc.z = c.z;
    cc.w = c.w;
    uint2 kk;
    kk.x = k0;
    kk.y = k1;
    const uint4 r = curand_Philox4x32_10(cc, kk);
    ASSERT_TRUE(p.x == r.x && p.y == r.y && p.z == r.z && p.w == r.w) << i;
    const DrawPair n = portable::box_muller_double(p.x, p.y, p.z, p.w);
    const double2 m = _curand_box_muller_double(r.x, r.y, r.z, r.w);
    ASSERT_EQ(std::bit_cast<std::uint64_t>(n.x), std::bit_cast<std::uint64_t>(m.x)) << i;
    ASSERT_EQ(std::bit_cast<std::uint64_t>(n.y), std::bit_cast<std::uint64_t>(m.y)) << i;
    ASSERT_EQ(std::bit_cast<std::uint64_t>(portable::uniform_double(p.x, p.y)),
              std::bit_cast<std::uint64_t>(_curand_uniform_double_hq(r.x, r.y)))
        << i;
  }
#endif
}

TEST(Random, KnownAnswer) {
  // Philox4x32-10 known-answer vector (Random123's kat_vectors: counter 0, key 0).
  const PhiloxWords zero = portable::philox4x32_10({0, 0, 0, 0}, 0, 0);
  EXPECT_EQ(zero.x, 0x6627e8d5u);
  EXPECT_EQ(zero.y, 0xe169c58du);
  EXPECT_EQ(zero.z, 0xbc57ac4cu);
  EXPECT_EQ(zero.w, 0x9b00dbd8u);
}

TEST(Random, HostPhiloxKeepsThirtyTwoBitWords) {
  // The host's Philox holds its words in 64 bits (random.hpp); it must give the words of the
  // 32-bit algorithm as the device runs it, written out here, for any counter and key.
  auto reference = [](PhiloxWords c, std::uint32_t k0, std::uint32_t k1) {
    for (int round = 0; round < 10; ++round) {
      const std::uint64_t p0 = static_cast<std::uint64_t>(0xD2511F53u) * c.x;
      const std::uint64_t p1 = static_cast<std::uint64_t>(0xCD9E8D57u) * c.z;
      c = {static_cast<std::uint32_t>(p1 >> 32) ^ c.y ^ k0, static_cast<std::uint32_t>(p1),
           static_cast<std::uint32_t>(p0 >> 32) ^ c.w ^ k1, static_cast<std::uint32_t>(p0)};
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    return c;
  };
  std::uint32_t state = 987654321u;
  auto next = [&state] { return state = state * 1664525u + 1013904223u; };
  for (int i = 0; i < 100000; ++i) {
    const PhiloxWords c{next(), next(), next(), i % 2 == 0 ? next() : 0xffffffffu};
    const std::uint32_t k0 = next(), k1 = next();
    const PhiloxWords p = portable::philox4x32_10(c, k0, k1), r = reference(c, k0, k1);
    ASSERT_TRUE(p.x == r.x && p.y == r.y && p.z == r.z && p.w == r.w) << i;
  }
}

TEST(Random, NormalAndUniformMoments) {
  const int n = 200000;
  double s1 = 0, s2 = 0, s4 = 0, u1 = 0, u2 = 0;
  for (int i = 0; i < n; ++i) {
    const DrawPair z = normal_pair({1, 0, StreamPurpose::test, static_cast<std::uint64_t>(i), 0});
    for (double v : {z.x, z.y}) {
      s1 += v;
      s2 += v * v;
      s4 += v * v * v * v;
    }
    double row[2];
    fill_random_row(1, 0, StreamPurpose::test, static_cast<std::uint64_t>(i),
                    InputDistribution::uniform, 2, row);
    for (double v : row) {
      EXPECT_GT(v, -0.5);
      EXPECT_LT(v, 0.5);
      u1 += v;
      u2 += v * v;
    }
  }
  const double m = 2.0 * n;
  EXPECT_NEAR(s1 / m, 0.0, 5.0 / std::sqrt(m));
  EXPECT_NEAR(s2 / m, 1.0, 5.0 * std::sqrt(2.0 / m));
  EXPECT_NEAR(s4 / m, 3.0, 5.0 * std::sqrt(96.0 / m));
  EXPECT_NEAR(u1 / m, 0.0, 5.0 * std::sqrt(1.0 / 12.0 / m));
  EXPECT_NEAR(u2 / m, 1.0 / 12.0, 5.0 * std::sqrt(1.0 / 180.0 / m));  // var(U^2) = 1/80 - 1/144
}

/// Kolmogorov-Smirnov statistic of samples against a continuous CDF.
template <class Cdf>
double ks_statistic(std::vector<double> s, Cdf cdf) {
  std::sort(s.begin(), s.end());
  double d = 0.0;
  const double n = static_cast<double>(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double f = cdf(s[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return d;
}

TEST(Random, ColumnFillDrawsTheRowFillsNumbersAndIsNormal) {
  // fill_random_columns (the vectorised path of Model A's draws) writes, column by column, the
  // very numbers fill_random_row writes row by row; they are N(0, 1) by their moments and a
  // Kolmogorov-Smirnov test (critical value 1.63/sqrt(n) at the 1% level).
  const int rows = 40000, n = 5;
  std::vector<double> cols(static_cast<std::size_t>(rows) * n), row(static_cast<std::size_t>(n));
  fill_random_columns(11, 3, StreamPurpose::minibatch, 1000, 0, 1, rows,
                      InputDistribution::gaussian, n, cols.data(), rows);
  std::vector<double> all;
  double s1 = 0, s2 = 0, s4 = 0;
  for (int i = 0; i < rows; ++i) {
    fill_random_row(11, 3, StreamPurpose::minibatch, 1000 + static_cast<std::uint64_t>(i),
                    InputDistribution::gaussian, n, row.data());
    for (int j = 0; j < n; ++j) {
      const double v = cols[static_cast<std::size_t>(j) * rows + i];
      ASSERT_EQ(v, row[static_cast<std::size_t>(j)]) << i << "," << j;
      all.push_back(v);
      s1 += v;
      s2 += v * v;
      s4 += v * v * v * v;
    }
  }
  const double m = static_cast<double>(all.size());
  EXPECT_NEAR(s1 / m, 0.0, 5.0 / std::sqrt(m));
  EXPECT_NEAR(s2 / m, 1.0, 5.0 * std::sqrt(2.0 / m));
  EXPECT_NEAR(s4 / m, 3.0, 5.0 * std::sqrt(96.0 / m));
  const double ks =
      ks_statistic(all, [](double v) { return 0.5 * std::erfc(-v / std::sqrt(2.0)); });
  EXPECT_LT(ks, 1.63 / std::sqrt(m));
  // A team's stride writes the same numbers into its rows and leaves the others alone.
  std::vector<float> strided(static_cast<std::size_t>(rows) * n, -7.0f);
  fill_random_columns(11, 3, StreamPurpose::minibatch, 1000, 1, 3, rows,
                      InputDistribution::gaussian, n, strided.data(), rows);
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(strided[static_cast<std::size_t>(rows) + i],
              i % 3 == 1 ? static_cast<float>(cols[static_cast<std::size_t>(rows) + i]) : -7.0f);
}

TEST(Random, ColumnFillOfAnyRowCountDrawsTheRowFillsNumbers) {
  // The serial path draws whole blocks of rows and moves the last block back; rows that are
  // not a multiple of the block, and a first row past 0, must still get exactly the numbers
  // of fill_random_row, and rows before i0 and past `rows` must stay untouched.
  const int n = 5, ld = 120;
  for (const int rows : {1, 7, 8, 9, 13, 100, 103})
    for (const int i0 : {0, 3}) {
      std::vector<double> cols(static_cast<std::size_t>(ld) * n, -7.0);
      std::vector<double> row(static_cast<std::size_t>(n));
      fill_random_columns(5, 2, StreamPurpose::design, 40, i0, 1, rows, InputDistribution::gaussian,
                          n, cols.data(), ld);
      for (int i = 0; i < ld; ++i) {
        fill_random_row(5, 2, StreamPurpose::design, 40 + static_cast<std::uint64_t>(i),
                        InputDistribution::gaussian, n, row.data());
        for (int j = 0; j < n; ++j) {
          const double want = i >= i0 && i < rows ? row[static_cast<std::size_t>(j)] : -7.0;
          ASSERT_EQ(cols[static_cast<std::size_t>(j) * ld + i], want)
              << "rows=" << rows << " i0=" << i0 << " i=" << i << " j=" << j;
        }
      }
    }
}

TEST(Random, BallSamplerRadiiFollowRTimesUToTheOneOverD) {
  // P(|w| <= s) = (s / r)^d for the uniform ball; KS at the 0.1% level: 1.95 / sqrt(n).
  const int n = 20000;
  for (int d : {1, 2, 3, 10}) {
    ModelAParams p;
    p.d = d;
    p.init = InitKind::ball;
    p.init_radius = ball_radius(d, 0.1) * std::sqrt(static_cast<double>(d));
    std::vector<double> radii, first_coord;
    std::vector<double> w(static_cast<std::size_t>(d));
    for (int i = 0; i < n; ++i) {
      model_a_init(p, static_cast<std::uint32_t>(i), w.data());
      double s = 0.0;
      for (double v : w)
        s += v * v;
      radii.push_back(std::sqrt(s));
      first_coord.push_back(w[0]);
    }
    const double r = p.init_radius;
    EXPECT_LT(ks_statistic(radii, [&](double s) { return std::pow(s / r, d); }),
              1.95 / std::sqrt(n))
        << "d=" << d;
    EXPECT_LE(*std::max_element(radii.begin(), radii.end()), r * (1 + 1e-12));
    // Direction uniform: the first coordinate is symmetric about 0.
    double mean = 0.0;
    for (double v : first_coord)
      mean += v / n;
    EXPECT_NEAR(mean, 0.0, 5.0 * r / std::sqrt(n));
  }
}

TEST(Random, RandomTeacherHasTheRequestedNormAndUniformDirection) {
  ModelAParams p;
  p.d = 3;
  p.teacher = TeacherKind::random;
  p.teacher_norm = 2.5;
  double mean_x = 0.0, mean_x2 = 0.0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    double w[3];
    model_a_teacher(p, static_cast<std::uint32_t>(i), w);
    EXPECT_NEAR(std::sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]), 2.5, 1e-12);
    mean_x += w[0] / n;
    mean_x2 += w[0] * w[0] / n;
  }
  EXPECT_NEAR(mean_x, 0.0, 5.0 * 2.5 / std::sqrt(3.0 * n));
  EXPECT_NEAR(mean_x2, 2.5 * 2.5 / 3.0, 0.1);  // E[w_1^2] = |w|^2 / d on the sphere
}

}  // namespace
}  // namespace relusim

namespace relusim {
namespace {

TEST(Random, ArithmeticNormalsAgreeWithLibmBoxMuller) {
  // normal_pair_arithmetic computes log and sin/cos itself; over 1e5 addresses it stays within
  // 1e-14 max(1, |z|) of normal_pair (libm's sin(v pi) rounds the angle v pi first, so near the
  // zeros of sin the two differ by a few 1e-16 absolute), and log_unit and sincospi_unit stay
  // within a few ulp of libm across their domains.
  double worst = 0.0;
  for (std::uint64_t row = 0; row < 1000; ++row)
    for (std::uint32_t col = 0; col < 100; ++col) {
      const PhiloxAddress a{42, 7, StreamPurpose::minibatch, row, col};
      const DrawPair lib = normal_pair(a), mine = normal_pair_arithmetic(a);
      worst = std::max(worst, std::fabs(lib.x - mine.x) / std::max(std::fabs(lib.x), 1.0));
      worst = std::max(worst, std::fabs(lib.y - mine.y) / std::max(std::fabs(lib.y), 1.0));
    }
  EXPECT_LT(worst, 1e-14);
  EXPECT_GT(worst, 0.0);  // they are computed differently
  for (double u :
       {1.1102230246251565e-16, 2.2e-16, 0.25, 0.5, 0.70710678, 0.7071068, 0.999999, 1.0})
    EXPECT_NEAR(portable::log_unit(u), std::log(u), 4e-16 * std::max(1.0, std::fabs(std::log(u))))
        << u;
  for (int i = 1; i < 2000; ++i) {
    const double v = i / 1000.0;
    const DrawPair sc = portable::sincospi_unit(v);
    EXPECT_NEAR(sc.x, std::sin(v * portable::kPi), 1e-15) << v;
    EXPECT_NEAR(sc.y, std::cos(v * portable::kPi), 1e-15) << v;
  }
}

}  // namespace
}  // namespace relusim
