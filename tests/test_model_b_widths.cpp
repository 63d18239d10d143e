// Model B with a student of K units and a teacher of K_teacher units (docs/model.md, "Students
// of another width"): the expected update against a hand-computed case and against Monte Carlo
// averages of fixed-design gradients (which reach the teacher through its sampled outputs, not
// through the closed form), equal widths unchanged, the units' fates, and the refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/b/theory.hpp"
#include "relusim/models/registry.hpp"
#include "model_b_helpers.hpp"
#include "test_helpers.hpp"

namespace relusim {
namespace {

CellConfig widths_cell(int K, int Kt, int d, DataMode mode) {
  CellConfig c;
  set_parameter(c, "model", std::string("B"));
  set_parameter(c, "K", std::int64_t{K});
  set_parameter(c, "K_teacher", std::int64_t{Kt});
  c.d = d;
  c.mode = mode;
  c.criterion = Criterion::loss;
  c.tol = 1e-4;
  return c;
}

TEST(ModelBWidths, TheExpectedUpdateOfAHandComputedCase) {
  // Teacher relu(x_1) (w* = e_1, one unit), student relu(w_1 . x) + relu(w_2 . x) at w_1 = e_1,
  // w_2 = e_2, d = 2. Per unit (MODEL.md §2), over 2 pi:
  //   a_j [sum_q at_q ((pi - t(w_j, w*_q)) w*_q + |w*_q| sin t(w_j, w*_q) w_j/|w_j|)
  //        - sum_q a_q ((pi - t(w_j, w_q)) w_q + |w_q| sin t(w_j, w_q) w_j/|w_j|)].
  // Unit 1: pi e1 - pi e1 - (pi/2 e2 + e1) = -e1 - pi/2 e2; unit 2: (pi/2 e1 + e2) - (pi/2 e1 +
  // e2) - pi e2 = -pi e2. Loss 1/2 E[relu(x_2)^2] = 1/4.
  const std::vector<double> w = {1, 0, 0, 1}, ws = {1, 0};
  double loss = -1;
  std::vector<double> g = model_b_expected_update(2, 1, 2, w, ws, {}, {}, &loss);
  const double tp = 2 * M_PI;
  const std::vector<double> want = {-1 / tp, -0.25, 0.0, -0.5};
  for (std::size_t e = 0; e < 4; ++e)
    EXPECT_NEAR(g[e], want[e], 1e-15) << e;
  EXPECT_NEAR(loss, 0.25, 1e-15);
  // The teacher's top weight 2: unit 1 gains pi e1, unit 2 gains pi/2 e1 + e2.
  // Loss 1/2 E[(relu(x_1) - relu(x_2))^2] = 1/2 - 1/(2 pi).
  g = model_b_expected_update(2, 1, 2, w, ws, {}, {2.0}, &loss);
  const std::vector<double> want2 = {(M_PI - 1) / tp, -0.25, 0.25, (1 - M_PI) / tp};
  for (std::size_t e = 0; e < 4; ++e)
    EXPECT_NEAR(g[e], want2[e], 1e-15) << e;
  EXPECT_NEAR(loss, 0.5 - 1 / tp, 1e-15);
  // The other way round: a student of one unit w = e_1 against the teacher relu(x_1) +
  // relu(x_2): the teacher part is pi e1 + (pi/2 e2 + e1), the student's -pi e1.
  g = model_b_expected_update(1, 2, 2, {1, 0}, {1, 0, 0, 1}, {}, {}, &loss);
  EXPECT_NEAR(g[0], 1 / tp, 1e-15);
  EXPECT_NEAR(g[1], 0.25, 1e-15);
  EXPECT_NEAR(loss, 0.25, 1e-15);
}

TEST(ModelBWidths, ExpectedUpdateIsTheMeanOfFixedDesignGradients) {
  // As ModelB.ExpectedUpdateWithTopWeightsIsTheMeanOfFixedDesignGradients, for a student wider
  // and one narrower than its teacher, each with top weights of its own.
  for (auto [K, Kt] : {std::pair{3, 2}, std::pair{2, 4}}) {
    std::vector<double> a(static_cast<std::size_t>(K)), at(static_cast<std::size_t>(Kt));
    for (std::size_t j = 0; j < a.size(); ++j)
      a[j] = 1.0 - 0.3 * static_cast<double>(j);
    for (std::size_t j = 0; j < at.size(); ++j)
      at[j] = 0.5 + 0.4 * static_cast<double>(j);
    testing::expect_expected_update_is_the_mean_of_designs(K, Kt, 4, a, at,
                                                           static_cast<std::uint64_t>(10 * K + Kt));
  }
}

TEST(ModelBWidths, EqualWidthsGivenExplicitlyAreTheSameCell) {
  // K_teacher = K and teacher_top_weights equal to the student's are the shared-weights cell:
  // one identity, and the same numbers.
  CellConfig plain;
  set_parameter(plain, "model", std::string("B"));
  set_parameter(plain, "K", std::int64_t{3});
  plain.d = 4;
  plain.mode = DataMode::expected;
  plain.trials = 40;
  set_parameter(plain, "top_weights", std::vector<double>{1.0, 0.5, 2.0});
  CellConfig explicit_ = plain;
  set_parameter(explicit_, "K_teacher", std::int64_t{3});
  set_parameter(explicit_, "teacher_top_weights", std::vector<double>{1.0, 0.5, 2.0});
  EXPECT_EQ(cell_identity(plain), cell_identity(explicit_));
  const auto a = testing::run_cells({plain}, 1, 4096, true);
  const auto b = testing::run_cells({explicit_}, 2, 16, true);
  testing::expect_same_tally(a[0].summary.tally, b[0].summary.tally, 0.0);
  // Other teacher top weights are another cell.
  set_parameter(explicit_, "teacher_top_weights", std::string("ones"));
  EXPECT_NE(cell_identity(plain), cell_identity(explicit_));
}

TEST(ModelBWidths, OverParameterisedStudentsReachTheTeacherAndSayHowTheirUnitsEnded) {
  // Orthonormal teacher of 2 units, students of 2 and 3 units, population gradient descent from
  // Gaussian starts. A converged trajectory (relative loss below 1e-6) covers both teacher
  // directions: every live unit lies on one, matched alone or split with another; a third unit
  // of the wider student either shares a direction (split) or is dead or elsewhere.
  for (int K : {2, 3}) {
    CellConfig c = widths_cell(K, 2, 4, DataMode::expected);
    c.eta = 0.5;
    c.tol = 1e-6;
    c.steps = 40000;
    c.trials = 60;
    c.seed = 3;
    const CellResult r = testing::run_cells({c}, 0, 4096, true)[0];
    int converged = 0, with_split = 0;
    for (const TrajectoryRecord& rec : r.records) {
      const double matched = rec.slot[ModelB::kUnitsMatched], split = rec.slot[ModelB::kUnitsSplit];
      EXPECT_LE(matched + split + rec.slot[ModelB::kDeadUnits], K) << rec.id;
      if (rec.outcome != Outcome::converged) continue;
      ++converged;
      EXPECT_LT(rec.slot[ModelB::kLoss], 1e-6 * (1.0 + 1.0 / M_PI));  // E[g*^2] = 1 + 1/pi
      EXPECT_NE(split, 1.0) << rec.id;  // a split takes two units at least
      EXPECT_GE(matched + split / 2.0, 2.0) << rec.id;
      with_split += split > 0 ? 1 : 0;
    }
    EXPECT_GE(converged, 30) << "K = " << K;
    if (K == 2) {
      EXPECT_EQ(with_split, 0);
    } else {
      EXPECT_GE(with_split, converged / 2);  // measured: 59 of 60 split a teacher unit
    }
    // The x, y projection is the symmetric structure of equal widths only.
    EXPECT_EQ(std::isnan(r.summary.value("mean_x")), K != 2);
  }
}

TEST(ModelBWidths, TheSafranShamirExampleHoldsItsThirtyCells) {
  // examples/safran-shamir.toml: k = 6..20, teacher of k units in d = k, students of k and k + 1
  // units, Xavier starts (sigma = sqrt(2 / (d + K))).
  const SweepConfig s =
      load_sweep_file(std::string(RELUSIM_SOURCE_DIR) + "/examples/safran-shamir.toml");
  ASSERT_EQ(s.cells.size(), 30u);
  for (std::size_t i = 0; i < s.cells.size(); ++i) {
    const CellConfig& c = s.cells[i];
    const int k = 6 + static_cast<int>(i / 2);
    EXPECT_EQ(c.of<ModelBCell>().teacher_width(), k);
    EXPECT_EQ(c.d, k);
    EXPECT_EQ(c.of<ModelBCell>().K, k + static_cast<int>(i % 2));
    EXPECT_EQ(c.init, InitKind::xavier);
    const ModelBParams p = resolve_model_b(c);
    EXPECT_EQ(p.init, InitKind::gaussian);  // Xavier is the Gaussian init at its own scale
    EXPECT_DOUBLE_EQ(p.init_sigma, std::sqrt(2.0 / (k + p.K)));
  }
}

TEST(ModelBWidths, UnequalWidthsAreRefusedWhereTheyMeanNothing) {
  auto refused_key = [](CellConfig c) {
    try {
      validate(c);
    } catch (const ConfigError& e) {
      return e.key();
    }
    return std::string("accepted");
  };
  CellConfig c = widths_cell(3, 2, 4, DataMode::expected);
  EXPECT_EQ(refused_key(c), "accepted");
  c.criterion = Criterion::distance;  // no unit-by-unit match
  EXPECT_EQ(refused_key(c), "criterion");
  c.criterion = Criterion::loss;
  c.init = InitKind::symmetric;  // built from the teacher's rows
  EXPECT_EQ(refused_key(c), "init");
  c.init = InitKind::gaussian;
  c.of<ModelBCell>().top_weights = {1.0, 2.0, 1.0};  // whose are the teacher's?
  EXPECT_EQ(refused_key(c), "teacher_top_weights");
  c.of<ModelBCell>().teacher_top_weights = {1.0, 1.0, 1.0};  // K_teacher = 2 entries needed
  EXPECT_EQ(refused_key(c), "teacher_top_weights");
  c.of<ModelBCell>().teacher_top_weights = {1.0, 1.0};
  EXPECT_EQ(refused_key(c), "accepted");
  c.teacher = TeacherKind::explicit_vector;
  c.teacher_vector = std::vector<double>(12, 1.0);  // 3 x 4: the student's shape, not 2 x 4
  EXPECT_EQ(refused_key(c), "teacher");
  c.teacher_vector.resize(8);
  EXPECT_EQ(refused_key(c), "accepted");
  c.teacher = TeacherKind::orthonormal;
  c.d = 2;  // d >= K_teacher suffices for an orthonormal teacher
  EXPECT_EQ(refused_key(c), "accepted");
  c.of<ModelBCell>().K_teacher = 3;
  EXPECT_EQ(refused_key(c), "d");
  // The reduced (x, y) field is Tian's symmetric structure of equal widths.
  CellConfig f = widths_cell(3, 2, 4, DataMode::expected);
  EXPECT_THROW(model_info("B").field(f, 0, model_info("B").field_grid), ConfigError);
}

}  // namespace
}  // namespace relusim
