// Model B (MODEL.md §2, §2.1; Tian §4): Theorem 4.1 against the simulator, the reduced 2-D field
// against the projection of the K-unit field, the expected update against Monte Carlo averages
// of fixed-design gradients, Tian (13) written out independently, and the permutation matching.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <tuple>
#include <vector>

#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/models/a/theory.hpp"
#include "relusim/models/b/theory.hpp"
#include "relusim/models/registry.hpp"
#include "model_b_helpers.hpp"
#include "test_helpers.hpp"

namespace relusim {
namespace {

CellConfig model_b_cell(int K, int d, DataMode mode) {
  CellConfig c;
  set_parameter(c, "model", std::string("B"));
  c.of<ModelBCell>().K = K;
  c.d = d;
  c.mode = mode;
  return c;
}

/// Runs trajectory `id` of a Model B cell on the serial team; w receives the final weights.
TrajectoryRecord run_b(const CellConfig& cell, std::uint32_t id, std::vector<double>* w = nullptr) {
  const ModelBParams p = resolve_model_b(cell);
  std::vector<double> scratch(static_cast<std::size_t>(ModelB::workspace_size(p, 1)));
  std::vector<double> final_w(static_cast<std::size_t>(ModelB::weight_count(p)));
  SerialTeam team;
  const TrajectoryRecord r = run_cpu_trajectory<ModelB, double>(
      team, p, id, scratch.data(), static_cast<NoObserver*>(nullptr), final_w.data());
  if (w != nullptr) *w = final_w;
  return r;
}

TEST(ModelB, SaddleOfTheoremFourOneHasThePapersValues) {
  EXPECT_NEAR(tian_saddle_x(2), 0.534155, 1e-6);
  EXPECT_NEAR(tian_saddle_x(5), 0.256841, 1e-6);
  EXPECT_NEAR(tian_saddle_x(10), 0.155735, 1e-6);
  // The saddle and the teacher are fixed points of the reduced field.
  for (int K : {2, 3, 5, 10}) {
    const double xs = tian_saddle_x(K);
    const SymmetricField at_saddle = symmetric_field(K, xs, xs);
    EXPECT_NEAR(at_saddle.dx, 0.0, 1e-14) << K;
    EXPECT_NEAR(at_saddle.dy, 0.0, 1e-14) << K;
    const SymmetricField at_teacher = symmetric_field(K, 1.0, 0.0);
    EXPECT_NEAR(at_teacher.dx, 0.0, 1e-14) << K;
    EXPECT_NEAR(at_teacher.dy, 0.0, 1e-14) << K;
  }
}

TEST(ModelB, TheoremFourOneSymmetricStartsEndAtTheSaddle) {
  // x = y in (0, 1]: the expected dynamics stay symmetric and end at (x*, x*), classified saddle.
  for (int K : {2, 5, 10}) {
    for (double x0 : {0.05, 0.3, 0.7, 1.0}) {
      CellConfig c = model_b_cell(K, K, DataMode::expected);
      c.init = InitKind::symmetric;
      c.of<ModelBCell>().init_x = x0;
      c.of<ModelBCell>().init_y = x0;
      c.eta = 0.1;
      c.stuck_tol = 1e-12;
      c.steps = 100000;
      const TrajectoryRecord r = run_b(c, 0);
      SCOPED_TRACE("K " + std::to_string(K) + " x0 " + std::to_string(x0));
      EXPECT_EQ(r.outcome, Outcome::stuck);  // "saddle" in Model B's reports
      EXPECT_NEAR(r.slot[ModelB::kX], tian_saddle_x(K), 1e-6);
      EXPECT_NEAR(r.slot[ModelB::kY], tian_saddle_x(K), 1e-6);
      EXPECT_GT(r.slot[ModelB::kLoss], 1e-3);  // a saddle, not the teacher
    }
  }
}

TEST(ModelB, TheoremFourOneSymmetryBrokenStartsReachTheTeacher) {
  // x > y, (x, y) in (0, 1] x [0, 1]: the dynamics reach (1, 0), the teacher.
  int runs = 0;
  for (int K : {2, 5, 10}) {
    for (double x0 : {0.3, 0.6, 1.0}) {
      for (double y0 : {0.0, 0.2, 0.5, 0.9}) {
        if (!(x0 > y0)) continue;
        CellConfig c = model_b_cell(K, K, DataMode::expected);
        c.init = InitKind::symmetric;
        c.of<ModelBCell>().init_x = x0;
        c.of<ModelBCell>().init_y = y0;
        c.eta = 0.1;
        c.steps = 200000;
        const TrajectoryRecord r = run_b(c, 0);
        SCOPED_TRACE("K " + std::to_string(K) + " (" + std::to_string(x0) + ", " +
                     std::to_string(y0) + ")");
        EXPECT_EQ(r.outcome, Outcome::converged);
        EXPECT_NEAR(r.slot[ModelB::kX], 1.0, 2e-3);
        EXPECT_NEAR(r.slot[ModelB::kY], 0.0, 2e-3);
        ++runs;
      }
    }
  }
  EXPECT_EQ(runs, 27);
}

TEST(ModelB, ReducedFieldEqualsTheProjectionOfTheKUnitField) {
  std::mt19937_64 gen(17);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int K : {2, 3, 5, 8}) {
    for (int i = 0; i < 50; ++i) {
      const double x = 1e-3 + u(gen), y = u(gen);
      const SymmetricField f = symmetric_field(K, x, y);
      const SymmetricField g = projected_symmetric_field(K, x, y);
      EXPECT_NEAR(f.dx, g.dx, 1e-12) << K << " " << x << " " << y;
      EXPECT_NEAR(f.dy, g.dy, 1e-12) << K << " " << x << " " << y;
    }
  }
}

TEST(ModelB, ReducedLossEqualsTheKUnitPopulationLoss) {
  // symmetric_loss (closed form) against the loss the simulator's expected mode computes for the
  // K-unit symmetric W, W* = I; at the teacher it is 0, at the origin half the teacher's term.
  std::mt19937_64 gen(29);
  std::uniform_real_distribution<double> u(-1.0, 1.5);
  for (int K : {1, 2, 3, 5, 8}) {
    std::vector<double> identity(static_cast<std::size_t>(K * K), 0.0);
    for (int j = 0; j < K; ++j)
      identity[static_cast<std::size_t>(j * K + j)] = 1.0;
    for (int i = 0; i < 40; ++i) {
      const double x = i == 0 ? 1.0 : u(gen), y = i == 0 ? 0.0 : u(gen);
      std::vector<double> w(identity.size());
      for (int j = 0; j < K; ++j)
        for (int q = 0; q < K; ++q)
          w[static_cast<std::size_t>(j * K + q)] = j == q ? x : y;
      double loss = -1.0;
      model_b_expected_update(K, K, w, identity, {}, &loss);
      EXPECT_NEAR(symmetric_loss(K, x, y), loss, 1e-12 * (1.0 + loss)) << K << " " << x << " " << y;
    }
    EXPECT_NEAR(symmetric_loss(K, 1.0, 0.0), 0.0, 1e-14);
    EXPECT_NEAR(symmetric_loss(K, 0.0, 0.0), 0.5 * (K * 0.5 + K * (K - 1.0) / (2.0 * M_PI)), 1e-14);
    EXPECT_TRUE(std::isfinite(symmetric_field(K, 0.0, 0.0).dx));
  }
}

/// Tian (13) written out as MODEL.md §2 prints it (top weights 1), with plain loops.
std::vector<double> tian13(int K, int d, const std::vector<double>& w,
                           const std::vector<double>& ws) {
  auto row = [d](const std::vector<double>& m, int j) { return m.data() + j * d; };
  auto dot = [d](const double* a, const double* b) {
    double s = 0;
    for (int k = 0; k < d; ++k)
      s += a[k] * b[k];
    return s;
  };
  auto angle = [&](const double* a, const double* b) {
    return std::acos(std::clamp(dot(a, b) / std::sqrt(dot(a, a) * dot(b, b)), -1.0, 1.0));
  };
  std::vector<double> out(static_cast<std::size_t>(K * d), 0.0);
  for (int j = 0; j < K; ++j) {
    const double* wj = row(w, j);
    const double nj = std::sqrt(dot(wj, wj));
    for (int q = 0; q < K; ++q) {
      const double *sq = row(ws, q), *wq = row(w, q);
      const double ts = angle(wj, sq), tw = angle(wj, wq);
      const double c =
          std::sqrt(dot(sq, sq)) * std::sin(ts) - std::sqrt(dot(wq, wq)) * std::sin(tw);
      for (int k = 0; k < d; ++k)
        out[static_cast<std::size_t>(j * d + k)] +=
            ((M_PI - ts) * sq[k] - (M_PI - tw) * wq[k] + c * wj[k] / nj) / (2 * M_PI);
    }
  }
  return out;
}

TEST(ModelB, AllOnesTopWeightsReduceToTian13AndOneUnitToModelA) {
  std::mt19937_64 gen(3);
  std::normal_distribution<double> n01;
  for (auto [K, d] : {std::pair{2, 3}, std::pair{4, 4}, std::pair{3, 7}}) {
    std::vector<double> w(static_cast<std::size_t>(K * d)), ws(w.size());
    for (auto& x : w)
      x = n01(gen);
    for (auto& x : ws)
      x = n01(gen);
    const auto want = tian13(K, d, w, ws);
    const auto got = model_b_expected_update(K, d, w, ws, {});
    const auto got_ones = model_b_expected_update(K, d, w, ws, std::vector<double>(K, 1.0));
    for (std::size_t e = 0; e < want.size(); ++e) {
      EXPECT_NEAR(got[e], want[e], 1e-12);
      EXPECT_EQ(got_ones[e], got[e]);
    }
  }
  // K = 1 is Model A's population gradient (Tian (10)-(11)).
  const std::vector<double> w = {0.3, -0.8, 0.5}, ws = {1.0, 0.2, -0.4};
  const auto a = expected_delta(w, ws);
  const auto b = model_b_expected_update(1, 3, w, ws, {});
  for (std::size_t k = 0; k < 3; ++k)
    EXPECT_NEAR(b[k], a[k], 1e-14);
}

TEST(ModelB, ExpectedUpdateWithTopWeightsIsTheMeanOfFixedDesignGradients) {
  // The average of M fixed-design gradients (N samples each) estimates E[Delta W] with an error
  // shrinking like (M N)^-1/2: 16 times the samples, a quarter of the error.
  const std::vector<double> a = {1.0, 0.5, -0.7};
  testing::expect_expected_update_is_the_mean_of_designs(3, 3, 4, a, a, 9);
}

TEST(ModelB, APermutedTeacherIsRecognised) {
  CellConfig c = model_b_cell(3, 5, DataMode::fixed);
  c.n_samples = 40;
  c.teacher = TeacherKind::explicit_vector;
  std::mt19937_64 gen(5);
  std::normal_distribution<double> n01;
  c.teacher_vector.resize(15);
  for (auto& x : c.teacher_vector)
    x = n01(gen);
  // Rows in the order 2, 0, 1.
  c.init = InitKind::explicit_vector;
  for (int j : {2, 0, 1})
    for (int k = 0; k < 5; ++k)
      c.init_vector.push_back(c.teacher_vector[static_cast<std::size_t>(j * 5 + k)]);
  const TrajectoryRecord r = run_b(c, 0);
  EXPECT_EQ(r.outcome, Outcome::converged);
  EXPECT_EQ(r.steps_to_converge, 0);
  EXPECT_TRUE(r.flag(ModelB::kMatched));
  EXPECT_LT(r.slot[ModelB::kMatchedDistance], 1e-15);
}

TEST(ModelB, TwoUnitsNearOneTeacherUnitAreNotConverged) {
  CellConfig c = model_b_cell(2, 3, DataMode::expected);
  c.init = InitKind::explicit_vector;
  // Both student units within 1e-4 of w*_0 = e_0: each is near a teacher unit, but the nearest
  // units do not form a permutation.
  c.init_vector = {1.0, 0.0, 0.0, 1.0 + 1e-4, 0.0, 0.0};
  c.steps = 1;
  c.eta = 1e-12;  // the one step taken leaves the state where it was
  const TrajectoryRecord r = run_b(c, 0);
  EXPECT_NE(r.outcome, Outcome::converged);
  EXPECT_FALSE(r.flag(ModelB::kMatched));
  EXPECT_LT(r.slot[ModelB::kMatchedDistance], 2e-4);
  // One unit far from its teacher unit (beyond tol) is not converged either.
  c.init_vector = {1.0, 0.0, 0.0, 0.0, 1.0 + 0.01, 0.0};
  const TrajectoryRecord s = run_b(c, 0);
  EXPECT_NE(s.outcome, Outcome::converged);
  EXPECT_TRUE(s.flag(ModelB::kMatched));
  EXPECT_NEAR(s.slot[ModelB::kMatchedDistance], 0.01, 1e-12);
}

TEST(ModelB, ZeroInitIsDeadInEveryMode) {
  for (DataMode mode : {DataMode::fixed, DataMode::online, DataMode::expected}) {
    CellConfig c = model_b_cell(4, 6, mode);
    c.n_samples = 30;
    c.batch = 10;
    c.init = InitKind::zero;
    const TrajectoryRecord r = run_b(c, 0);
    EXPECT_EQ(r.outcome, Outcome::dead) << to_string(mode);
    EXPECT_EQ(r.steps, 0);
    EXPECT_EQ(r.slot[ModelB::kDeadUnits], 4.0);
  }
}

TEST(ModelB, RandomOrthonormalTeacherIsOrthonormal) {
  CellConfig c = model_b_cell(4, 7, DataMode::expected);
  c.teacher = TeacherKind::random_orthonormal;
  const ModelBParams p = resolve_model_b(c);
  std::vector<double> scratch(static_cast<std::size_t>(ModelB::workspace_size(p, 1)));
  const ModelBWorkspace<double> ws = ModelB::carve<double>(p, 1, scratch.data());
  SerialTeam team;
  ModelB::setup(team, p, 3, ws);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      double s = 0;
      for (int k = 0; k < 7; ++k)
        s += ws.w_star[i * 7 + k] * ws.w_star[j * 7 + k];
      EXPECT_NEAR(s, i == j ? 1.0 : 0.0, 1e-12);
    }
}

TEST(ModelB, NoiseInitHasThePrescribedVariance) {
  // W = 1e-3 W* + E, E_jk ~ N(0, 1e-3 level): the sample variance of W - 1e-3 W*.
  CellConfig c = model_b_cell(5, 40, DataMode::expected);
  c.init = InitKind::noise;
  c.of<ModelBCell>().noise_level = 4.0;
  const ModelBParams p = resolve_model_b(c);
  std::vector<double> scratch(static_cast<std::size_t>(ModelB::workspace_size(p, 1)));
  const ModelBWorkspace<double> ws = ModelB::carve<double>(p, 1, scratch.data());
  double s2 = 0;
  int n = 0;
  for (std::uint32_t id = 0; id < 50; ++id) {
    SerialTeam team;
    ModelB::setup(team, p, id, ws);
    for (int e = 0; e < 200; ++e) {
      const double v = ws.w[e] - 1e-3 * ws.w_star[e];
      s2 += v * v;
      ++n;
    }
  }
  // 10,000 draws: the variance estimate has a relative standard error of about 1.4%.
  EXPECT_NEAR(s2 / n, 4e-3, 4e-3 * 0.06);
}

TEST(ModelB, ConfigurationKeysBelongToTheirModel) {
  CellConfig a;
  EXPECT_THROW(set_parameter(a, "K", std::int64_t{3}), ConfigError);
  try {
    set_parameter(a, "K", std::int64_t{3});
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "K");
    EXPECT_NE(std::string(e.what()).find("model B"), std::string::npos) << e.what();
  }
  CellConfig b = model_b_cell(3, 2, DataMode::expected);
  EXPECT_THROW(set_parameter(b, "regularizer", std::string("l2")), ConfigError);
  try {
    validate(b);  // an orthonormal teacher needs d >= K
    ADD_FAILURE() << "d < K accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "d");
  }
  try {
    parse_sweep_text("model = \"B\"\n[grid]\nmodel = [\"A\", \"B\"]\n", "t.toml");
    ADD_FAILURE() << "a model axis accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "model");
  }
  const SweepConfig s = parse_sweep_text(
      "K = 2\nd = 3\ntop_weights = [1.0, -1.0]\ninit = [[1, 0, 0], [0, 1, 0]]\nmodel = \"B\"\n"
      "[grid]\nK = [2]\n",
      "t.toml");
  ASSERT_EQ(s.cells.size(), 1u);
  EXPECT_EQ(s.cells[0].model, "B");
  EXPECT_EQ(s.cells[0].init, InitKind::explicit_vector);
  EXPECT_EQ(s.cells[0].init_vector, (std::vector<double>{1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(s.cells[0].of<ModelBCell>().top_weights, (std::vector<double>{1.0, -1.0}));
  EXPECT_EQ(s.cells[0].teacher, TeacherKind::orthonormal);  // model B's default
}

}  // namespace
}  // namespace relusim

namespace relusim {
namespace {

/// The data term written row by row in long double from the column-major design: delta, the
/// active counts and the loss.
template <class T>
void expect_data_term_matches_rows(int K, int d, int n, double tol) {
  CellConfig c = model_b_cell(K, d, DataMode::fixed);
  c.n_samples = n;
  c.init = InitKind::gaussian;
  c.of<ModelBCell>().top_weights.assign(static_cast<std::size_t>(K), 1.0);
  for (int j = 0; j < K; ++j)
    c.of<ModelBCell>().top_weights[static_cast<std::size_t>(j)] = 1.0 - 0.3 * j;
  const ModelBParams p = resolve_model_b(c);
  std::vector<T> scratch(static_cast<std::size_t>(ModelB::workspace_size(p, 1)));
  const auto ws = ModelB::carve<T>(p, 1, scratch.data());
  SerialTeam team;
  ModelB::setup(team, p, 3, ws);
  const int ld = model_b_ld(p);
  for (int i = n; i < ld; ++i) {  // the padding rows are zero
    ASSERT_EQ(ws.u[i], T(0));
    for (int k = 0; k < d; ++k)
      ASSERT_EQ(ws.x[k * ld + i], T(0));
  }
  std::vector<long double> g(static_cast<std::size_t>(K * d), 0.0L), act(K, 0.0L);
  long double loss = 0.0L;
  for (int i = 0; i < n; ++i) {
    std::vector<long double> z(K);
    long double v = 0.0L;
    for (int j = 0; j < K; ++j) {
      for (int k = 0; k < d; ++k)
        z[j] += static_cast<long double>(ws.x[k * ld + i]) * ws.w[j * d + k];
      v += ws.a[j] * std::max(z[j], 0.0L);
    }
    const long double res = ws.u[i] - v;
    loss += res * res;
    for (int j = 0; j < K; ++j) {
      if (!(z[j] > 0)) continue;
      act[j] += 1;
      for (int k = 0; k < d; ++k)
        g[j * d + k] += ws.a[j] * res * ws.x[k * ld + i];
    }
  }
  const T got_loss = model_b::data_gradient(team, p, n, ws);
  const double want_loss = static_cast<double>(loss / (2 * n));
  EXPECT_NEAR(got_loss, want_loss, tol * std::max(1.0, want_loss));
  for (int j = 0; j < K; ++j) {
    EXPECT_EQ(ws.active[j], static_cast<T>(act[j])) << "unit " << j;
    for (int k = 0; k < d; ++k)
      EXPECT_NEAR(ws.delta[j * d + k], static_cast<double>(g[j * d + k] / n), tol)
          << "K=" << K << " d=" << d << " n=" << n << " (" << j << ", " << k << ")";
  }
}

TEST(ModelB, TheSerialDataTermIsTheRowByRowSum) {
  // The host's vector step (whole vectors of rows, four banks, the padding rows) against a plain
  // row-by-row sum in long double: one vector, one bank, several, a tail; double and float.
  for (const auto& [K, d, n] : std::vector<std::tuple<int, int, int>>{
           {1, 1, 1}, {2, 3, 7}, {5, 5, 100}, {3, 17, 33}, {4, 8, 257}, {5, 100, 100}}) {
    expect_data_term_matches_rows<double>(K, d, n, 1e-13);
    expect_data_term_matches_rows<float>(K, d, n, 2e-5);
  }
}

}  // namespace
}  // namespace relusim
