// Model B test helpers shared by test_model_b.cpp and test_model_b_widths.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "relusim/core/team.hpp"
#include "relusim/models/b/host.hpp"

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

}  // namespace relusim::testing
