// The theory module against hand-computed values, brute force and Monte Carlo.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "relusim/models/a/dynamics.hpp"
#include "relusim/core/random.hpp"
#include "relusim/models/a/theory.hpp"
#include "test_helpers.hpp"

namespace relusim {
namespace {

/// A_k by enumerating all 2^N activation patterns and counting those with at most k ones.
double a_k_brute_force(int n, int k) {
  std::int64_t count = 0;
  for (std::uint32_t mask = 0; mask < (1u << n); ++mask)
    if (std::popcount(mask) <= k) ++count;
  return static_cast<double>(count) / static_cast<double>(1u << n);
}

TEST(Theory, AkMatchesBruteForceEnumeration) {
  for (int n = 1; n <= 16; ++n)
    for (int k = 0; k <= n; ++k)
      EXPECT_NEAR(a_k(n, k), a_k_brute_force(n, k), 1e-13) << "N=" << n << " k=" << k;
}

TEST(Theory, AkHandComputedValues) {
  EXPECT_DOUBLE_EQ(a_k(10, 2), 56.0 / 1024.0);  // (1 + 10 + 45) / 2^10
  EXPECT_NEAR(kong_bound(0.1, 10, 2), 0.425, 5e-4);
  EXPECT_NEAR(kong_bound(0.1, 10, 2), 0.9 * (1.0 - 56.0 / 1024.0) / 2.0, 1e-15);
  EXPECT_DOUBLE_EQ(tian_bound(0.1), 0.45);
}

TEST(Theory, AkInLogSpaceDoesNotOverflow) {
  // N = 10^7: log A_d = log C(N, d) - N log 2 + O(d/N); C(N, 3) = N (N-1) (N-2) / 6.
  const double n = 1e7;
  const double expected = std::log(n * (n - 1) * (n - 2) / 6.0) - n * std::log(2.0);
  EXPECT_NEAR(log_a_k(10'000'000, 3), expected, 1e-6 * std::fabs(expected));
  EXPECT_TRUE(std::isfinite(log_a_k(10'000'000, 3)));
  EXPECT_EQ(a_k(10'000'000, 3), 0.0);  // underflows to zero, not NaN
  EXPECT_DOUBLE_EQ(kong_bound(0.1, 10'000'000, 3), tian_bound(0.1));
  // Symmetry: A_{N/2} for even N is 1/2 + C(N, N/2) / 2^(N+1).
  const double half =
      0.5 + 0.5 * std::exp(std::lgamma(1001.0) - 2 * std::lgamma(501.0) - 1000.0 * std::log(2.0));
  EXPECT_NEAR(a_k(1000, 500), half, 1e-12);
}

TEST(Theory, Radii) {
  // d = 2: tight radius eps sqrt(pi) Gamma(3/2) / Gamma(2) = eps pi / 2.
  EXPECT_NEAR(tight_ball_radius(2, 0.1), 0.1 * std::numbers::pi / 2, 1e-15);
  EXPECT_NEAR(ball_radius(2, 0.1), 0.1 * std::sqrt(2 * std::numbers::pi / 3), 1e-15);
  // The tight radius behaves like eps sqrt(2 pi / d) for large d, so the two agree to O(1/d).
  EXPECT_NEAR(tight_ball_radius(2000, 0.1) / ball_radius(2000, 0.1), 1.0, 1e-3);
  for (int d = 1; d < 50; ++d)
    EXPECT_GT(tight_ball_radius(d, 0.1), ball_radius(d, 0.1));
}

TEST(Theory, KongMIsPositiveDefiniteOnTheQuarter) {
  for (int i = 1; i <= 100; ++i) {
    const double theta = i * (std::numbers::pi / 2) / 100;
    const auto m = kong_m(theta);
    EXPECT_GT(m[0], 0.0);
    EXPECT_GT(m[0] * m[3] - m[1] * m[2], 0.0) << theta;
    EXPECT_DOUBLE_EQ(m[1], m[2]);
  }
  // theta = 0: M is singular (the two directions coincide).
  const auto m0 = kong_m(0.0);
  EXPECT_NEAR(m0[0] * m0[3] - m0[1] * m0[2], 0.0, 1e-15);
}

/// ||E[F(e, w)] - F(e, w)|| / ||E F|| for one sample of size n.
double f_relative_error(int n, int d, double theta, std::uint32_t id) {
  std::vector<double> x(static_cast<std::size_t>(n) * d);
  for (int i = 0; i < n; ++i)
    fill_random_row(7, id, StreamPurpose::test, static_cast<std::uint64_t>(i),
                    InputDistribution::gaussian, d, x.data() + static_cast<std::size_t>(i) * d);
  std::vector<double> e(static_cast<std::size_t>(d), 0.0), w(static_cast<std::size_t>(d), 0.0);
  e[0] = 1.0;
  w[0] = 2.0 * std::cos(theta);
  w[1] = 2.0 * std::sin(theta);
  const auto ef = expected_f(e, w, n);
  const auto f = sample_f(x, n, d, e, w);
  return testing::distance(ef, f) / testing::norm(ef);
}

TEST(Theory, ExpectedFMatchesMonteCarloAndErrorShrinksLikeInverseSqrtN) {
  // Tian §5.1: the error shrinks like N^-1/2; averaged over repetitions, a 16x larger sample
  // has about 1/4 of the error.
  const int d = 5, reps = 40;
  for (double theta : {0.3, 1.0, 2.0, 2.8}) {
    double small = 0.0, large = 0.0;
    for (int r = 0; r < reps; ++r) {
      small += f_relative_error(2000, d, theta, static_cast<std::uint32_t>(r)) / reps;
      large += f_relative_error(32000, d, theta, static_cast<std::uint32_t>(1000 + r)) / reps;
    }
    EXPECT_LT(large, 0.06) << theta;
    EXPECT_NEAR(small / large, 4.0, 1.2)
        << "theta=" << theta << " errors " << small << " " << large;
  }
}

TEST(Theory, ExpectedDeltaMatchesAverageOfFixedModeGradients) {
  // The expected mode's closed form E[Delta_data](w) against the simulator's own fixed-mode
  // Delta(w) = (1/N) X^T D(w) (u - v), averaged over many designs (trajectory ids): two modes of
  // the simulator that must agree on average.
  const int d = 3, designs = 400;
  const std::vector<double> w_star = {1.0, -0.5, 0.25};
  for (const std::vector<double>& w :
       {std::vector<double>{0.3, 0.2, -0.4}, std::vector<double>{-0.9, 0.4, 0.1}}) {
    ModelAParams p;
    p.mode = DataMode::fixed;
    p.n_samples = 200;
    p.d = d;
    p.teacher = TeacherKind::explicit_vector;
    p.teacher_vector = w_star.data();
    p.init = InitKind::explicit_vector;
    p.init_vector = w.data();
    p.seed = 11;
    std::vector<double> scratch(static_cast<std::size_t>(model_a_workspace_size(p, 1)));
    SerialTeam team;
    const ModelAWorkspace<double> ws = model_a_workspace<double>(p, 1, scratch.data());
    std::vector<double> mean(d, 0.0), sq(d, 0.0);
    for (std::uint32_t k = 0; k < static_cast<std::uint32_t>(designs); ++k) {
      model_a_setup(team, p, k, ws);
      model_a_evaluate(team, p, k, 0, ws, team_dot(team, ws.w_star, ws.w_star, p.d));
      for (int j = 0; j < d; ++j) {
        mean[static_cast<std::size_t>(j)] += ws.delta[j] / designs;
        sq[static_cast<std::size_t>(j)] += ws.delta[j] * ws.delta[j] / designs;
      }
    }
    const auto expected = expected_delta(w, w_star);
    for (int j = 0; j < d; ++j) {
      const double m = mean[static_cast<std::size_t>(j)];
      const double se = std::sqrt((sq[static_cast<std::size_t>(j)] - m * m) / designs);
      EXPECT_NEAR(m, expected[static_cast<std::size_t>(j)], 4.0 * se + 1e-12) << "coordinate " << j;
    }
  }
}

TEST(Theory, ExpectedDeltaIsZeroAtTheTeacherAndPointsBackAlongTheRay) {
  const std::vector<double> w_star = {1.0, 2.0};
  const auto at = expected_delta(w_star, w_star);
  EXPECT_NEAR(testing::norm(at), 0.0, 1e-15);
  // On the ray w = c w*: theta = 0, E[Delta] = (1 - c) w* / 2.
  const auto half = expected_delta({0.5, 1.0}, w_star);
  EXPECT_NEAR(half[0], 0.25, 1e-15);
  EXPECT_NEAR(half[1], 0.5, 1e-15);
}

}  // namespace
}  // namespace relusim
