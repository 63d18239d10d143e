#include "relusim/plan.hpp"

#include <algorithm>

namespace relusim {

SweepPlan make_plan(std::vector<CellConfig> cells, std::uint32_t max_batch) {
  if (max_batch == 0) throw ConfigError("batch-trajectories", "must be >= 1");
  SweepPlan plan;
  plan.cells = std::move(cells);
  for (std::size_t c = 0; c < plan.cells.size(); ++c) {
    validate(plan.cells[c]);
    const auto trials = static_cast<std::uint32_t>(plan.cells[c].trials);
    for (std::uint32_t first = 0; first < trials; first += max_batch) {
      plan.batches.push_back({c, first, std::min(max_batch, trials - first)});
    }
    plan.total_trajectories += plan.cells[c].trials;
  }
  return plan;
}

}  // namespace relusim
