// The curvature of Model B's stuck points (models/b/curvature.hpp, docs/model.md "Curvature of a
// stuck point"): LAPACK's eigenvalues against known spectra, the closed-form gradient against
// differences of the closed-form loss, the Hessian against second differences and against the
// hand-computed Hessian at the teacher, Tian's Thm 4.1 saddle, and a spurious local minimum
// that a perturbed restart returns to.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "relusim/core/linalg.hpp"
#include "relusim/engine/driver.hpp"
#include "relusim/engine/plan.hpp"
#include "relusim/models/b/curvature.hpp"
#include "relusim/models/b/host.hpp"
#include "relusim/models/b/theory.hpp"
#include "relusim/models/registry.hpp"
#include "test_helpers.hpp"

namespace relusim {
namespace {

CellConfig expected_cell(int K, int d) {
  CellConfig c;
  set_parameter(c, "model", std::string("B"));
  c.of<ModelBCell>().K = K;
  c.d = d;
  c.mode = DataMode::expected;
  return c;
}

TEST(Linalg, SymmetricEigenvaluesOfKnownMatrices) {
  SquareMatrix m(2);
  m(0, 0) = m(1, 1) = 2.0;
  m(0, 1) = m(1, 0) = 1.0;
  const std::vector<double> ev = symmetric_eigenvalues(m);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_NEAR(ev[0], 1.0, 1e-15);
  EXPECT_NEAR(ev[1], 3.0, 1e-15);
  // Q diag(-2, 0.5, 1, 4) Q^T for a Householder reflection Q = I - 2 v v^T / |v|^2.
  const std::vector<double> v = {1.0, -2.0, 0.5, 3.0}, lam = {-2.0, 0.5, 1.0, 4.0};
  double vv = 0.0;
  for (double x : v)
    vv += x * x;
  SquareMatrix q(4), a(4);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      q(i, j) = (i == j ? 1.0 : 0.0) - 2.0 * v[i] * v[j] / vv;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 4; ++k)
        a(i, j) += q(i, k) * lam[k] * q(j, k);
  const std::vector<double> e4 = symmetric_eigenvalues(a);
  for (int k = 0; k < 4; ++k)
    EXPECT_NEAR(e4[k], lam[k], 1e-13);
}

/// A random point of K x d weights near the teacher's scale.
std::vector<double> random_weights(int n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0.0, 0.6);
  std::vector<double> w(static_cast<std::size_t>(n));
  for (double& x : w)
    x = g(rng);
  return w;
}

TEST(Curvature, TheGradientIsTheDerivativeOfTheLoss) {
  CellConfig c = expected_cell(3, 4);
  c.teacher = TeacherKind::random;
  c.of<ModelBCell>().top_weights = {1.0, -0.5, 2.0};
  ModelBPopulation pop(resolve_model_b(c), 7);
  std::vector<double> w = random_weights(12, 1), g(12);
  pop.gradient(w.data(), g.data());
  const double h = 1e-6;
  for (int i = 0; i < 12; ++i) {
    std::vector<double> wp = w, wm = w;
    wp[i] += h;
    wm[i] -= h;
    const double fd = (pop.loss(wp.data()) - pop.loss(wm.data())) / (2 * h);
    EXPECT_NEAR(g[i], fd, 1e-7 * (1.0 + std::fabs(fd))) << i;
  }
}

TEST(Curvature, TheHessianMatchesSecondDifferencesOfTheLoss) {
  CellConfig c = expected_cell(2, 3);
  c.teacher = TeacherKind::random;
  ModelBPopulation pop(resolve_model_b(c), 3);
  std::vector<double> w = random_weights(6, 2);
  const SquareMatrix hm = pop.hessian(w.data(), 1e-5);
  const double h = 1e-4;
  auto loss_at = [&](int i, double si, int j, double sj) {
    std::vector<double> x = w;
    x[i] += si * h;
    x[j] += sj * h;
    return pop.loss(x.data());
  };
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j) {
      const double fd = (loss_at(i, 1, j, 1) - loss_at(i, 1, j, -1) - loss_at(i, -1, j, 1) +
                         loss_at(i, -1, j, -1)) /
                        (4 * h * h);
      EXPECT_NEAR(hm(i, j), fd, 2e-5) << i << "," << j;
    }
}

TEST(Curvature, TheHessianAtTheTeacherIsTheHandComputedMatrix) {
  // At W = W* the residual vanishes, so the Hessian is the Gauss-Newton matrix: block (j, q) =
  // a_j a_q E[1[x_j > 0] 1[x_q > 0] x x^T] for the orthonormal teacher e_1..e_K. By hand: the
  // diagonal block is I / 2; an off-diagonal block is I / 4 plus 1/(2 pi) at (j, q) and (q, j)
  // (E[x_j 1[x_j > 0]] = 1/sqrt(2 pi)).
  const int K = 2, d = 3;
  CellConfig c = expected_cell(K, d);
  c.of<ModelBCell>().top_weights = {1.0, -1.5};
  const std::vector<double> a = {1.0, -1.5};
  ModelBPopulation pop(resolve_model_b(c), 0);
  const std::vector<double> w = pop.teacher();
  // Each unit is parallel to its teacher unit here, where the loss is C^2 but not C^3: the
  // central difference's error is O(h) (about 0.2 h), not O(h^2).
  const SquareMatrix hm = pop.hessian(w.data(), 1e-7);
  for (int j = 0; j < K; ++j)
    for (int q = 0; q < K; ++q)
      for (int k = 0; k < d; ++k)
        for (int l = 0; l < d; ++l) {
          double e = 0.0;
          if (j == q) {
            e = k == l ? 0.5 : 0.0;
          } else {
            e = k == l ? 0.25 : 0.0;
            if ((k == j && l == q) || (k == q && l == j)) e += 1.0 / (2.0 * std::numbers::pi);
          }
          EXPECT_NEAR(hm(j * d + k, q * d + l), a[j] * a[q] * e, 1e-7)
              << "(" << j << "," << k << "), (" << q << "," << l << ")";
        }
  // ... and the teacher is a strict minimum.
  EXPECT_EQ(classify_curvature(resolve_model_b(c), 0, w.data(), 1e-6).kind, Curvature::local_min);
}

TEST(Curvature, TianTheoremFourOneSymmetricPointIsAStrictSaddle) {
  for (int K : {2, 3, 5, 10}) {
    const CellConfig c = expected_cell(K, K);
    const double xs = tian_saddle_x(K);
    // w_j = x* w*_j + x* sum_{j' != j} w*_j' = x* (1, ..., 1) for every unit.
    const std::vector<double> w(static_cast<std::size_t>(K * K), xs);
    const CurvatureResult r = classify_curvature(resolve_model_b(c), 0, w.data(), 1e-6);
    SCOPED_TRACE("K " + std::to_string(K));
    EXPECT_EQ(r.kind, Curvature::saddle);
    EXPECT_LT(r.min_eigenvalue, -1e-3);
    EXPECT_LT(r.error, 1e-5);
    EXPECT_LT(r.min_eigenvalue, -r.threshold);
  }
}

TEST(Curvature, SymmetricStartsEndAtAStrictSaddleThroughASweep) {
  CellConfig c = expected_cell(3, 3);
  c.init = InitKind::symmetric;
  c.of<ModelBCell>().init_x = 0.3;
  c.of<ModelBCell>().init_y = 0.3;
  c.eta = 0.1;
  c.steps = 100000;
  c.trials = 3;
  const std::vector<CellResult> res = testing::run_cells({c}, 2, 2, true);
  ASSERT_EQ(res[0].records.size(), 3u);
  for (const TrajectoryRecord& r : res[0].records) {
    EXPECT_EQ(r.outcome, Outcome::stuck);
    EXPECT_TRUE(r.flag(ModelB::kSaddlePoint));
    EXPECT_FALSE(r.flag(ModelB::kLocalMin) || r.flag(ModelB::kFlat));
    EXPECT_LT(r.slot[ModelB::kMinEigenvalue], 0.0);
  }
  // The summary's counts are the records' (the tally was updated with them).
  const CellTally t = res[0].summary.tally;
  EXPECT_EQ(t.flag_counts[ModelB::kSaddlePoint], 3);
  EXPECT_EQ(t.slot_counts[ModelB::kMinEigenvalue], 3);
  // Without records or weights asked for, the tally is the same.
  const std::vector<CellResult> bare = testing::run_cells({c}, 1);
  EXPECT_TRUE(bare[0].records.empty() && bare[0].final_weights.empty());
  testing::expect_same_tally(bare[0].summary.tally, t, 0.0);
}

TEST(Curvature, CellsBeyondTheCapReportNaNNotZero) {
  // K d = 2500 > kCurvatureMaxWeights: nothing is classified, so the fractions are NaN.
  CellConfig c = expected_cell(50, 50);
  c.steps = 1;
  c.trials = 1;
  const CellSummary s = testing::run_cells({c}, 1)[0].summary;
  EXPECT_TRUE(std::isnan(s.value("frac_local_min")));
  EXPECT_TRUE(std::isnan(s.value("frac_strict_saddle")));
  EXPECT_TRUE(std::isnan(s.value("frac_flat")));
  CellConfig small = expected_cell(8, 8);
  small.steps = 1;
  small.trials = 1;
  EXPECT_EQ(testing::run_cells({small}, 1)[0].summary.value("frac_local_min"), 0.0);
}

/// A stationary point of K = d = 8 (orthonormal teacher, top weights 1) found by relusim itself:
/// trajectory 11 of `K = 8, d = 8, mode = expected, init = gaussian, eta = 0.5, seed = 1`, run to
/// |Delta|_F < 1e-13 |W*|_F (`relusim trace ... --trajectory 11`); loss 0.0215, far from the
/// teacher (loss 0).
const std::vector<double> kSpuriousK8 = {
    -0.02588362803923158,  0.22808901641718837,   -0.02588362803880763,  -0.02588362803883921,
    -0.02588362803887766,  -0.02588362803860103,  1.001434253466279,     -0.025883628038678247,
    0.15981604291852236,   -0.6582562620094379,   0.1598160429152662,    0.15981604291550824,
    0.15981604291580392,   0.1598160429136788,    0.15981604292295035,   0.15981604291427154,
    -0.02588362803806362,  0.22808901640855367,   -0.02588362803763961,  -0.02588362803767119,
    1.0014342534688039,    -0.02588362803743298,  -0.02588362803864018,  -0.025883628037510167,
    1.001434253467843,     0.2280890164118382,    -0.025883628038083917, -0.025883628038115485,
    -0.025883628038153916, -0.02588362803787722,  -0.02588362803908445,  -0.02588362803795452,
    -0.025883628037975673, 0.22808901640790374,   1.0014342534689935,    -0.025883628037583303,
    -0.025883628037621825, -0.025883628037344994, -0.025883628038552264, -0.025883628037422363,
    -0.025883628037813185, 0.2280890164067023,    -0.025883628037389098, -0.02588362803742074,
    -0.025883628037459187, -0.02588362803718257,  -0.025883628038389665, 1.0014342534693454,
    -0.025883628038015194, 0.2280890164081965,    -0.025883628037591234, 1.0014342534689085,
    -0.02588362803766135,  -0.02588362803738463,  -0.025883628038591795, -0.025883628037461817,
    -0.025883628037716266, 0.22808901640598583,   -0.02588362803729235,  -0.025883628037323875,
    -0.025883628037362334, 1.0014342534695544,    -0.025883628038292764, -0.025883628037162792};

/// The final weights and record of a K = d = 8 expected-mode run from `w0`.
TrajectoryRecord run_from(const std::vector<double>& w0, std::vector<double>& w_end) {
  CellConfig c = expected_cell(8, 8);
  c.init = InitKind::explicit_vector;
  c.init_vector = w0;
  c.eta = 0.5;
  c.steps = 200000;
  c.stuck_tol = 1e-12;
  c.trials = 1;
  const std::vector<CellResult> res = testing::run_cells({c}, 1, 1, true);
  w_end = res[0].final_weights;
  return res[0].records.at(0);
}

double distance(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    s += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(s);
}

TEST(Curvature, ASpuriousMinimumIsALocalMinAndAPerturbedRestartReturnsToIt) {
  std::vector<double> w_min;
  const TrajectoryRecord r = run_from(kSpuriousK8, w_min);
  EXPECT_EQ(r.outcome, Outcome::stuck);
  EXPECT_TRUE(r.flag(ModelB::kLocalMin));
  EXPECT_GT(r.slot[ModelB::kMinEigenvalue], 1e-2);
  EXPECT_GT(r.slot[ModelB::kLoss], 0.02);  // spurious: the teacher's loss is 0
  EXPECT_LT(distance(w_min, kSpuriousK8), 1e-9);
  // Independently of the Hessian: restarts from random perturbations of size 0.05 (per entry
  // 0.05 / sqrt(64)) all come back to the same point.
  std::mt19937_64 rng(5);
  std::normal_distribution<double> g(0.0, 0.05 / 8.0);
  for (int restart = 0; restart < 3; ++restart) {
    std::vector<double> w0 = w_min, w_end;
    for (double& x : w0)
      x += g(rng);
    const TrajectoryRecord again = run_from(w0, w_end);
    SCOPED_TRACE("restart " + std::to_string(restart));
    EXPECT_GT(distance(w0, w_min), 0.02);
    EXPECT_EQ(again.outcome, Outcome::stuck);
    EXPECT_TRUE(again.flag(ModelB::kLocalMin));
    EXPECT_LT(distance(w_end, w_min), 1e-6);
  }
  // The same perturbations of Tian's saddle leave it: the Hessian's verdict there (strict saddle)
  // is the dynamics' too.
  const double xs = tian_saddle_x(8);
  const std::vector<double> saddle(64, xs);
  std::mt19937_64 rng2(5);
  std::vector<double> w0 = saddle, w_end;
  for (double& x : w0)
    x += g(rng2);
  const TrajectoryRecord left = run_from(w0, w_end);
  EXPECT_NE(left.outcome, Outcome::undecided);
  EXPECT_GT(distance(w_end, saddle), 0.5);
}

}  // namespace
}  // namespace relusim
