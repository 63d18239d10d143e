// Model B test helpers shared by test_model_b.cpp and test_model_b_widths.cpp.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "relusim/core/team.hpp"
#include "relusim/models/b/host.hpp"
#include "relusim/models/b/theory.hpp"
#include "test_helpers.hpp"

namespace relusim::testing {

/// The mean over `designs` fixed designs (trajectories 0 .. designs-1 of `cell`, fixed mode) of
/// the first step's update direction Delta W, and of its data loss into `mean_loss`: a Monte
/// Carlo estimate of the expected update that reaches the teacher only through its outputs on
/// the sampled rows.
inline std::vector<double> mean_fixed_design_update(const CellConfig& cell, int designs,
                                                    double* mean_loss) {
  const ModelBParams p = resolve_model_b(cell);
  std::vector<double> scratch(static_cast<std::size_t>(ModelB::workspace_size(p, 1)));
  const ModelBWorkspace<double> ws = ModelB::carve<double>(p, 1, scratch.data());
  const int n = p.K * p.d;
  std::vector<double> mean(static_cast<std::size_t>(n), 0.0);
  *mean_loss = 0.0;
  for (int m = 0; m < designs; ++m) {
    SerialTeam team;
    TrajectoryRecord rec;
    ModelB::setup(team, p, static_cast<std::uint32_t>(m), ws);
    const auto start = ModelB::begin(team, p, ws, rec);
    const auto e = ModelB::evaluate(team, p, static_cast<std::uint32_t>(m), 0, ws, start);
    for (int t = 0; t < n; ++t)
      mean[static_cast<std::size_t>(t)] += ws.delta[t] / designs;
    *mean_loss += e.loss / designs;
  }
  return mean;
}

/// The closed-form expected update (models/b/theory.hpp) at W against the mean of fixed-design
/// updates: with 16 times the samples per design the error falls to about a quarter (between
/// 1/8 and 1/2: (MN)^-1/2, no better), and ends within 2% of the update and of the loss. W
/// (K x d, scale 0.6) and W* (Kt x d) are Gaussian from `seed`; `a`, `at` the top weights.
inline void expect_expected_update_is_the_mean_of_designs(int K, int Kt, int d,
                                                          const std::vector<double>& a,
                                                          const std::vector<double>& at,
                                                          std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> n01;
  std::vector<double> w(static_cast<std::size_t>(K * d)), ws(static_cast<std::size_t>(Kt * d));
  for (auto& x : w)
    x = 0.6 * n01(gen);
  for (auto& x : ws)
    x = n01(gen);
  double expected_loss = 0;
  const auto expected = model_b_expected_update(K, Kt, d, w, ws, a, at, &expected_loss);
  auto error_with = [&](int n, int designs, double* loss_error) {
    CellConfig c;
    set_parameter(c, "model", std::string("B"));
    c.of<ModelBCell>().K = K;
    c.of<ModelBCell>().K_teacher = Kt;
    if (Kt != K) c.criterion = Criterion::loss;
    c.d = d;
    c.mode = DataMode::fixed;
    c.n_samples = n;
    c.teacher = TeacherKind::explicit_vector;
    c.teacher_vector = ws;
    c.init = InitKind::explicit_vector;
    c.init_vector = w;
    c.of<ModelBCell>().top_weights = a;
    c.of<ModelBCell>().teacher_top_weights = at;
    c.seed = 21;
    double mean_loss = 0;
    const std::vector<double> mean = mean_fixed_design_update(c, designs, &mean_loss);
    *loss_error = std::fabs(mean_loss - expected_loss);
    return distance(mean, expected);
  };
  double loss_small = 0, loss_large = 0;
  const double small = error_with(200, 50, &loss_small);
  const double large = error_with(3200, 50, &loss_large);
  EXPECT_LT(large, 0.5 * small) << K << " " << Kt << ": " << small << " " << large;
  EXPECT_GT(large, 0.125 * small) << K << " " << Kt << ": " << small << " " << large;
  EXPECT_LT(large, 0.02 * norm(expected)) << K << " " << Kt;
  EXPECT_LT(loss_large, 0.02 * expected_loss) << K << " " << Kt;
}

}  // namespace relusim::testing
