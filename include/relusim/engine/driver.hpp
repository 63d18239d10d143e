// The driver: runs a plan's batches on a backend and folds the batch tallies into per-cell
// results. It does not know which backend it talks to, nor how many processes share the plan:
// a batch's result depends only on the batch, and `assemble` adds the batches of a cell in plan
// order, so any split of the batches over processes gives the same sums (docs/scale-out.md).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
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

/// Receives each batch's result (the batch's index into plan.batches) as it completes.
using BatchSink = std::function<void(std::size_t, BatchResult&&)>;

/// Runs the plan's batches `which` (ascending indices into plan.batches), launch group by launch
/// group (group_batches), and hands each result to `sink`. `stop` is asked before every group;
/// when it says yes the run ends there. Returns false when stopped before the end.
bool run_batches(const SweepPlan& plan, const std::vector<std::size_t>& which, Backend& backend,
                 bool keep_records, bool keep_weights, const BatchSink& sink,
                 const std::function<bool()>& stop = {});

/// Per-cell results from every batch's result (indexed like plan.batches; every entry must be
/// set): tallies added cell by cell in plan order, records and weights concatenated in id order.
/// Throws std::logic_error when a batch is missing.
std::vector<CellResult> assemble(const SweepPlan& plan,
                                 std::vector<std::optional<BatchResult>> per_batch);

/// All of a plan in this process: run_batches over every batch, then assemble.
std::vector<CellResult> run_plan(const SweepPlan& plan, Backend& backend,
                                 const DriverOptions& options);

}  // namespace relusim
