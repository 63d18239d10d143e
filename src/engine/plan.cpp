#include "relusim/engine/plan.hpp"

#include <algorithm>
#include <map>

namespace relusim {

LaunchShape launch_shape(const CellConfig& c) {
  const int rows =
      c.mode == DataMode::fixed ? c.n_samples : (c.mode == DataMode::online ? c.batch : 0);
  return {c.model, static_cast<int>(c.precision), static_cast<int>(c.mode), rows, c.d, c.K};
}

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
  // Gather by shape; a shape's open group is closed when the next batch would overflow it.
  std::map<LaunchShape, std::size_t> open;  // shape -> index of its open group
  for (std::size_t b = 0; b < plan.batches.size(); ++b) {
    const LaunchShape shape = launch_shape(plan.cells[plan.batches[b].cell]);
    auto it = open.find(shape);
    if (it == open.end() ||
        plan.groups[it->second].trajectories + plan.batches[b].count > max_batch) {
      plan.groups.emplace_back();
      it = open.insert_or_assign(shape, plan.groups.size() - 1).first;
    }
    plan.groups[it->second].batches.push_back(b);
    plan.groups[it->second].trajectories += plan.batches[b].count;
  }
  return plan;
}

}  // namespace relusim
