// The driver: runs a plan on a backend and aggregates the records, cell by cell.
// It does not know which backend it talks to.
#pragma once

#include <functional>
#include <vector>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/plan.hpp"
#include "relusim/engine/stats.hpp"

namespace relusim {

struct CellResult {
  CellSummary summary;
  std::vector<TrajectoryRecord> records;  ///< only when asked for
  std::vector<double> final_weights;      ///< only when asked for (trials x d)
};

struct DriverOptions {
  bool keep_records = false;
  bool keep_weights = false;
  /// Called after each batch with (trajectories done, total).
  std::function<void(std::int64_t, std::int64_t)> progress;
};

std::vector<CellResult> run_plan(const SweepPlan& plan, Backend& backend,
                                 const DriverOptions& options);

}  // namespace relusim
