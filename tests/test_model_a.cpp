// The single-source Model A step: gradients against finite differences, the threaded team against
// the serial team, and the classification of hand-built cases.
#include <gtest/gtest.h>

#include <cmath>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/models/model_info.hpp"
#include "relusim/models/registry.hpp"
#include "relusim/models/a/dynamics.hpp"
#include "relusim/core/team_threaded.hpp"
#include "team_runner.hpp"
#include "test_helpers.hpp"

namespace relusim {
namespace {

ModelAParams base_params(DataMode mode, int n, int d) {
  ModelAParams p;
  p.mode = mode;
  p.n_samples = n;
  p.batch = std::min(n, 16);
  p.d = d;
  p.teacher = TeacherKind::random;
  p.teacher_norm = 1.0;
  p.init = InitKind::gaussian;
  p.init_sigma = 0.5;
  p.seed = 99;
  p.max_steps = 3000;
  return p;
}

/// Data loss at w for a fixed design (double), for finite differences.
double fixed_loss(const ModelAParams& p, const ModelAWorkspace<double>& ws,
                  const std::vector<double>& w) {
  double s = 0.0;
  for (int i = 0; i < p.n_samples; ++i) {
    double z = 0.0;
    for (int j = 0; j < p.d; ++j)
      z += ws.x[j * model_a_ld(p) + i] * w[static_cast<std::size_t>(j)];  // column-major
    const double r = ws.u[i] - std::max(z, 0.0);
    s += r * r;
  }
  return s / (2.0 * p.n_samples);
}

double regularizer_value(Regularizer reg, const std::vector<double>& w) {
  double l1 = 0, l2 = 0;
  for (double v : w) {
    l1 += std::fabs(v);
    l2 += v * v;
  }
  switch (reg) {
    case Regularizer::l2:
      return l2;
    case Regularizer::l1sq:
      return l1 * l1;
    case Regularizer::l1:
      return l1;
    default:
      return 0.0;
  }
}

TEST(ModelA, DescentDeltaIsMinusTheGradientOfTheLoss) {
  // Delta(w) = -dE/dw with E = data loss + (lambda/2) R(w) (descent), by central differences.
  for (Regularizer reg : {Regularizer::none, Regularizer::l2, Regularizer::l1sq, Regularizer::l1}) {
    ModelAParams p = base_params(DataMode::fixed, 50, 4);
    p.regularizer = reg;
    p.lambda = 0.03;
    std::vector<double> scratch(static_cast<std::size_t>(model_a_workspace_size(p, 1)));
    SerialTeam team;
    const auto ws = model_a_workspace<double>(p, 1, scratch.data());
    model_a_setup(team, p, 3, ws);
    const Evaluation<double> e =
        model_a_evaluate(team, p, 3, 0, ws, team_dot(team, ws.w_star, ws.w_star, p.d));
    std::vector<double> w(ws.w, ws.w + p.d);
    EXPECT_NEAR(e.loss, fixed_loss(p, ws, w), 1e-14);
    const double h = 1e-6;
    for (int j = 0; j < p.d; ++j) {
      auto wp = w, wm = w;
      wp[static_cast<std::size_t>(j)] += h;
      wm[static_cast<std::size_t>(j)] -= h;
      const double ep = fixed_loss(p, ws, wp) + 0.5 * p.lambda * regularizer_value(reg, wp);
      const double em = fixed_loss(p, ws, wm) + 0.5 * p.lambda * regularizer_value(reg, wm);
      EXPECT_NEAR(ws.delta[j], -(ep - em) / (2 * h), 1e-7) << to_string(reg) << " j=" << j;
    }
    if (reg != Regularizer::none) {  // as-printed flips only the regulariser's sign
      std::vector<double> descent(ws.delta, ws.delta + p.d);
      p.convention = Convention::as_printed;
      model_a_evaluate(team, p, 3, 0, ws, team_dot(team, ws.w_star, ws.w_star, p.d));
      p.regularizer = Regularizer::none;
      std::vector<double> as_printed(ws.delta, ws.delta + p.d);
      model_a_evaluate(team, p, 3, 0, ws, team_dot(team, ws.w_star, ws.w_star, p.d));
      for (int j = 0; j < p.d; ++j)
        EXPECT_NEAR(as_printed[static_cast<std::size_t>(j)] - ws.delta[j],
                    -(descent[static_cast<std::size_t>(j)] - ws.delta[j]), 1e-15);
    }
  }
}

TEST(ModelA, ExpectedModeLossIsThePopulationLoss) {
  // The closed-form population loss against a large-sample average.
  ModelAParams p = base_params(DataMode::expected, 1, 3);
  std::vector<double> scratch(static_cast<std::size_t>(model_a_workspace_size(p, 1)));
  SerialTeam team;
  const auto ws = model_a_workspace<double>(p, 1, scratch.data());
  model_a_setup(team, p, 0, ws);
  const double loss =
      model_a_evaluate(team, p, 0, 0, ws, team_dot(team, ws.w_star, ws.w_star, p.d)).loss;
  const int n = 400000;
  double s = 0.0, s2 = 0.0;
  for (int i = 0; i < n; ++i) {
    double x[3];
    fill_random_row(3, 0, StreamPurpose::test, static_cast<std::uint64_t>(i),
                    InputDistribution::gaussian, 3, x);
    double a = 0, b = 0;
    for (int j = 0; j < 3; ++j) {
      a += x[j] * ws.w_star[j];
      b += x[j] * ws.w[j];
    }
    const double r =
        0.5 * (std::max(a, 0.0) - std::max(b, 0.0)) * (std::max(a, 0.0) - std::max(b, 0.0));
    s += r / n;
    s2 += r * r / n;
  }
  EXPECT_NEAR(loss, s, 4.0 * std::sqrt((s2 - s * s) / n));
}

/// Runs trajectory `id` on a ThreadedTeam of `size` threads.
template <class T>
TrajectoryRecord run_threaded(const ModelAParams& p, std::uint32_t id, int size,
                              std::vector<double>& w) {
  return testing::run_on_team<ModelA, T>(p, id, size, w);
}

template <class T>
TrajectoryRecord run_serial(const ModelAParams& p, std::uint32_t id, std::vector<double>& w) {
  return testing::run_on_team<ModelA, T>(p, id, 1, w);
}

TEST(ModelA, ThreadedTeamMatchesSerialTeam) {
  // Team sizes 4 and 32 against size 1: the same outcome, the same weights to 1e-12 relative
  // (the reductions sum in another order). d = 1 and 2 exercise several lanes per coordinate,
  // d = 3 an idle rank, d = 7 several coordinates per rank, d = 9 the serial team's unrolled
  // row products.
  int compared = 0;
  for (DataMode mode : {DataMode::fixed, DataMode::online, DataMode::expected}) {
    for (int d : {1, 2, 3, 7, 9}) {
      for (Regularizer reg : {Regularizer::none, Regularizer::l2, Regularizer::l1}) {
        ModelAParams p = base_params(mode, 37, d);
        p.regularizer = reg;
        p.lambda = reg == Regularizer::none ? 0.0 : 1e-3;
        p.max_steps = 400;
        for (std::uint32_t id = 0; id < 3; ++id) {
          std::vector<double> ws;
          const TrajectoryRecord s = run_serial<double>(p, id, ws);
          // 4: rank-order sums; 32: the warp team's emulation (butterfly sums), every
          // coordinate shared by lanes (trajectory 0: 32 threads on a small machine are slow).
          for (int size : {4, 32}) {
            if (size == 32 && id != 0) continue;
            std::vector<double> wt;
            const TrajectoryRecord t = run_threaded<double>(p, id, size, wt);
            EXPECT_EQ(s.outcome, t.outcome);
            EXPECT_EQ(s.steps, t.steps);
            EXPECT_EQ(s.flag(ModelA::kStartedInOmega), t.flag(ModelA::kStartedInOmega));
            EXPECT_EQ(s.flag(ModelA::kPositiveDefinite), t.flag(ModelA::kPositiveDefinite));
            const double scale = std::max(testing::norm(ws), 1e-300);
            EXPECT_LE(testing::distance(ws, wt) / scale, 1e-12)
                << to_string(mode) << " d=" << d << " " << to_string(reg) << " id=" << id
                << " team " << size;
            ++compared;
          }
        }
      }
    }
  }
  EXPECT_EQ(compared, 180);
}

/// Rounding allowed between two orders of the same data term's sums.
template <class T>
double data_term_tolerance() {
  return std::is_same_v<T, float> ? 2e-5 : 1e-12;
}

/// Two computations of the data term agree: the same active count, the loss and every g_j
/// within rounding (relative to the largest |g_j|).
template <class T>
void expect_same_data_term(const DataTerm<T>& a, const DataTerm<T>& b, const std::vector<T>& g1,
                           const std::vector<T>& g2, int rows, int d) {
  EXPECT_EQ(a.active, b.active) << rows << "x" << d;
  const double tol = data_term_tolerance<T>();
  EXPECT_NEAR(a.loss, b.loss, tol * std::max(1.0, static_cast<double>(a.loss)));
  double gmax = 0.0;
  for (T v : g1)
    gmax = std::max(gmax, std::fabs(static_cast<double>(v)));
  for (int j = 0; j < d; ++j)
    EXPECT_NEAR(g1[static_cast<std::size_t>(j)], g2[static_cast<std::size_t>(j)], tol * gmax)
        << rows << "x" << d << " j=" << j;
}

TEST(ModelA, SimdDataTermMatchesTheRowByRowReference) {
  // The serial step's vector paths (one and four banks, one- and four-vector chunks, several
  // blocks of rows) against the row-by-row loop on the same padded column-major design: the
  // same active count, the gradient and loss within rounding, in double and float.
  auto check = [](auto zero, int rows, int d) {
    using T = decltype(zero);
    ModelAParams p = base_params(DataMode::fixed, rows, d);
    std::vector<T> scratch(static_cast<std::size_t>(model_a_workspace_size(p, 1)));
    SerialTeam team;
    const auto ws = model_a_workspace<T>(p, 1, scratch.data());
    model_a_setup(team, p, 1, ws);
    const int ld = model_a_ld(p);
    std::vector<T> g1(static_cast<std::size_t>(d)), g2 = g1;
    std::vector<T> acc(static_cast<std::size_t>(64 * d)), r(static_cast<std::size_t>(ld));
    const DataTerm<T> a = serial_data_gradient_rows(ws.x, ld, ws.u, rows, d, ws.w, g1.data());
    const DataTerm<T> b = ld >= kSerialWidth<T>
                              ? serial_data_gradient_banks<4>(ws.x, ld, ws.u, rows, d, ws.w,
                                                              g2.data(), r.data(), acc.data())
                              : serial_data_gradient_banks<1>(ws.x, ld, ws.u, rows, d, ws.w,
                                                              g2.data(), r.data(), acc.data());
    EXPECT_GT(a.active, 0);
    expect_same_data_term(a, b, g1, g2, rows, d);
  };
  for (auto [rows, d] : {std::pair{10, 2}, std::pair{37, 5}, std::pair{100, 5}, std::pair{300, 20},
                         std::pair{600, 3}, std::pair{1000, 50}}) {
    check(0.0, rows, d);
    check(0.0f, rows, d);
  }
}

#if RELUSIM_HOST_SIMD
TEST(ModelA, FusedHostStepMatchesTheGenericReference) {
  // The host's one-pass step (fused_data_gradient: the data term, Delta with each regulariser
  // and |Delta|^2 in fixed-width vectors) against the generic serial data term followed by the
  // coordinate loop, for every column count it serves and row counts below, at and above a
  // vector: the same active count, Delta, loss and |Delta|^2 within rounding.
  int compared = 0;
  auto check = [&](auto zero, int rows, int d, Regularizer reg) {
    using T = decltype(zero);
    ModelAParams p = base_params(DataMode::fixed, rows, d);
    p.regularizer = reg;
    p.lambda = 0.05;
    std::vector<T> scratch(static_cast<std::size_t>(model_a_workspace_size(p, 1)));
    SerialTeam team;
    const auto ws = model_a_workspace<T>(p, 1, scratch.data());
    model_a_setup(team, p, 7, ws);
    const int ld = model_a_ld(p);
    T l1 = T(0);
    for (int j = 0; j < d; ++j)
      l1 += std::fabs(ws.w[j]);
    const RegularizerTerm<T> rt{reg, static_cast<T>(regularizer_factor(p)), l1};
    std::vector<T> g1(static_cast<std::size_t>(d)), g2 = g1;
    std::vector<T> acc(static_cast<std::size_t>(64 * d)), r(static_cast<std::size_t>(ld));
    const DataTerm<T> a =
        serial_data_gradient(ws.x, ld, ws.u, rows, d, ws.w, g1.data(), r.data(), acc.data());
    double gg_ref = 0.0;
    for (int j = 0; j < d; ++j) {
      g1[static_cast<std::size_t>(j)] =
          delta_coordinate(g1[static_cast<std::size_t>(j)], ws.w[j], rt);
      gg_ref +=
          static_cast<double>(g1[static_cast<std::size_t>(j)]) * g1[static_cast<std::size_t>(j)];
    }
    T gg = T(-1);
    const DataTerm<T> b = fused_data_gradient_for(std::make_integer_sequence<int, kFusedColumns>{},
                                                  ws.x, ld, ws.u, rows, d, ws.w, g2.data(), rt, gg);
    expect_same_data_term(a, b, g1, g2, rows, d);
    EXPECT_NEAR(gg, gg_ref, 2 * data_term_tolerance<T>() * std::max(1.0, gg_ref));
    ++compared;
  };
  const Regularizer regs[] = {Regularizer::none, Regularizer::l2, Regularizer::l1sq,
                              Regularizer::l1};
  for (int d = 1; d <= kFusedColumns; ++d)
    for (int rows : {1, 10, 16, 33, 100}) {
      const Regularizer reg = regs[(d + rows) % 4];
      check(0.0, rows, d, reg);
      check(0.0f, rows, d, reg);
    }
  EXPECT_EQ(compared, 2 * 5 * kFusedColumns);
}

TEST(ModelA, FusedHostStepSumsInTheSourceOrder) {
  // simd::sum folds lanes (l, l + W/2) first, as pairwise_sum does; the result is bit-identical
  // to the scalar tree, whatever the machine's vector width.
  simd::Vec<double> v;
  double a[8];
  for (int l = 0; l < 8; ++l)
    a[l] = v[l] = 1.0 / (3.0 + l) * (l % 2 == 0 ? 1e8 : 1.0);
  EXPECT_EQ(simd::sum(v), pairwise_sum<8>(a));
  EXPECT_NE(simd::sum(v), ((((((a[0] + a[1]) + a[2]) + a[3]) + a[4]) + a[5]) + a[6]) + a[7]);
}
#endif

TEST(ModelA, ThreadedTeamFloatMatchesSerialOutcome) {
  ModelAParams p = base_params(DataMode::fixed, 64, 5);
  p.max_steps = 300;
  for (std::uint32_t id = 0; id < 4; ++id) {
    std::vector<double> ws, wt;
    const auto s = run_serial<float>(p, id, ws);
    const auto t = run_threaded<float>(p, id, 3, wt);
    EXPECT_EQ(s.outcome, t.outcome);
    EXPECT_LE(testing::distance(ws, wt) / testing::norm(ws), 1e-4);
  }
}

TrajectoryRecord run_one(const ModelAParams& p, std::uint32_t id = 0) {
  std::vector<double> w;
  return run_serial<double>(p, id, w);
}

TEST(ModelA, ClassifiesHandBuiltCases) {
  const std::vector<double> teacher = {1.0, 1.0};
  ModelAParams p = base_params(DataMode::fixed, 20, 2);
  p.teacher = TeacherKind::explicit_vector;
  p.teacher_vector = teacher.data();

  // Zero init: no sample is active, the gradient vanishes: dead at step 0.
  p.init = InitKind::zero;
  for (DataMode mode : {DataMode::fixed, DataMode::online, DataMode::expected}) {
    p.mode = mode;
    const TrajectoryRecord r = run_one(p);
    EXPECT_EQ(r.outcome, Outcome::dead) << to_string(mode);
    EXPECT_EQ(r.steps, 0);
  }

  // Started at the teacher: converged at step 0.
  p.mode = DataMode::fixed;
  p.init = InitKind::explicit_vector;
  p.init_vector = teacher.data();
  TrajectoryRecord r = run_one(p);
  EXPECT_EQ(r.outcome, Outcome::converged);
  EXPECT_EQ(r.steps_to_converge, 0);

  // A learning rate far beyond the curvature blows up.
  const std::vector<double> near = {1.2, 0.9};
  p.init_vector = near.data();
  p.eta = 50.0;
  EXPECT_EQ(run_one(p).outcome, Outcome::diverged);

  // as-printed l2 with lambda > 1/2 in expected mode: Delta = (w* - w)/2 + lambda w grows.
  p.eta = 0.1;
  p.mode = DataMode::expected;
  p.regularizer = Regularizer::l2;
  p.convention = Convention::as_printed;
  p.lambda = 0.8;
  p.max_steps = 100000;
  EXPECT_EQ(run_one(p).outcome, Outcome::diverged);

  // A tiny budget leaves a trajectory undecided.
  p.regularizer = Regularizer::none;
  p.lambda = 0.0;
  p.max_steps = 3;
  const std::vector<double> far = {-0.5, 0.7};
  p.init_vector = far.data();
  r = run_one(p);
  EXPECT_EQ(r.outcome, Outcome::undecided);
  EXPECT_EQ(r.steps, 3);

  // Without early stopping the whole budget runs and the outcome is the final state's.
  p.max_steps = 5000;
  p.early_stop = false;
  r = run_one(p);
  EXPECT_EQ(r.outcome, Outcome::converged);
  EXPECT_EQ(r.steps, 5000);
  EXPECT_GT(r.steps_to_converge, 0);
  EXPECT_LT(r.slot[ModelA::kDistance], 1e-10);
}

TEST(ModelA, StuckAtAnotherStationaryPoint) {
  // Fixed mode with d = 2 and N = 3: when fewer than d+1 samples are active for the teacher, a
  // whole line of weights fits the data; trajectories rest there (stuck) instead of at w*.
  ModelAParams p = base_params(DataMode::fixed, 3, 2);
  p.init = InitKind::ball;
  p.init_radius = 0.5;
  p.max_steps = 200000;
  int stuck = 0;
  for (std::uint32_t id = 0; id < 200; ++id) {
    const TrajectoryRecord r = run_one(p, id);
    if (r.outcome == Outcome::stuck) {
      ++stuck;
      EXPECT_GT(r.slot[ModelA::kDistance], p.tol);
      EXPECT_LT(r.slot[ModelA::kGradNorm], 2 * p.stuck_tol);
    }
  }
  EXPECT_GT(stuck, 0);
}

TEST(ModelA, AFloatRunsUnresolvableStuckTolIsNotedUnderTheTable) {
  // In float, |Delta| near rest is rounding noise below about 1e-7 |w*|: on Kong's N = 10,
  // d = 5, l1, lambda = 0.1 cell (500 trials), stuck_tol 1e-9 gave 92 stuck in double and 0 in
  // float, 1e-6 gave 97 and 96. The table says so for float cells below 1e-6.
  const ModelInfo& a = model_info("A");
  ASSERT_NE(a.table_note, nullptr);
  CellConfig cell;
  cell.model = "A";
  cell.mode = DataMode::fixed;
  cell.stuck_tol = 1e-9;
  cell.precision = Precision::f64;
  EXPECT_EQ(a.table_note({cell}).find("stuck_tol"), std::string::npos);
  cell.precision = Precision::f32;
  const std::string note = a.table_note({cell});
  EXPECT_NE(note.find("stuck_tol 1e-09"), std::string::npos) << note;
  cell.stuck_tol = 1e-6;
  EXPECT_EQ(a.table_note({cell}).find("stuck_tol"), std::string::npos);
  cell.stuck_tol = 1e-9;
  cell.mode = DataMode::online;  // online runs have no "at rest" test
  EXPECT_EQ(a.table_note({cell}).find("stuck_tol"), std::string::npos);
}

}  // namespace
}  // namespace relusim
