// The plan: a sweep's cells cut into batches of trajectories that a backend runs in one go.
#pragma once

#include <cstdint>
#include <vector>

#include "relusim/config.hpp"

namespace relusim {

struct PlannedBatch {
  std::size_t cell = 0;  ///< index into SweepPlan::cells
  std::uint32_t first_id = 0;
  std::uint32_t count = 0;
};

struct SweepPlan {
  std::vector<CellConfig> cells;
  std::vector<PlannedBatch> batches;  ///< cell by cell, ids ascending
  std::int64_t total_trajectories = 0;
};

/// Cuts every cell's trials into batches of at most `max_batch` trajectories.
SweepPlan make_plan(std::vector<CellConfig> cells, std::uint32_t max_batch);

}  // namespace relusim
