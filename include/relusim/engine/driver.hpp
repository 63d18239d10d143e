// The driver: runs a plan's batches on a backend and folds the batch tallies into per-cell
// results. It does not know which backend it talks to, nor how many processes share the plan:
// a batch's result depends only on the batch, and `assemble` adds the batches of a cell in plan
// order, so any split of the batches over processes gives the same sums (docs/scale-out.md).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
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

/// Where a cell stands given the batch results at hand (indexed like plan.batches). A cell of
/// fixed trials is decided when all its batches are there. A cell with trials = "auto" is
/// decided at the first end of a step (trials_step trajectories, in id order) where every batch
/// up to it is there and stop_rule_met holds on them, or when all its batches are there
/// (max_trials). Its result is made of those first batches only: batches after them, run or
/// not, are left out, so threads, ranks, shards and resume cannot change it.
struct CellProgress {
  bool decided = false;
  std::size_t first_batch = 0;    ///< the cell's first batch in plan.batches
  std::size_t end_batch = 0;      ///< one past its last
  std::size_t batches_used = 0;   ///< decided: its result is batches [first, first + used)
  std::size_t steps_present = 0;  ///< auto: whole steps at the start with every batch there
  std::string stopped_by;         ///< decided: kStoppedBy* (engine/stats.hpp)
};
std::vector<CellProgress> cell_progress(const SweepPlan& plan,
                                        const std::vector<std::optional<BatchResult>>& per_batch);

/// The batches to run next, of `candidates` (ascending; batches already there are skipped):
/// every candidate of a fixed cell, and for each undecided auto cell its candidates in the next
/// k steps after those present, k = max(1, min(steps present, cap / (trials_step x undecided
/// auto cells))): steps grow geometrically and fill the backend's batch cap, so a decided cell
/// runs at most about as many trajectories again as it needed. `early_stop = false` (a shard,
/// which cannot see the other shards' batches) gives every candidate not there. Empty: nothing
/// left to run.
std::vector<std::size_t> next_round(const SweepPlan& plan,
                                    const std::vector<std::size_t>& candidates,
                                    const std::vector<std::optional<BatchResult>>& per_batch,
                                    bool early_stop = true);

/// Per-cell results from the batch results (indexed like plan.batches): each cell's batches as
/// cell_progress decides (a fixed cell's all; an auto cell's until its rule was met), tallies
/// added in plan order, records and weights concatenated in id order. Throws std::logic_error
/// when a cell is not decided (a batch it needs is missing).
std::vector<CellResult> assemble(const SweepPlan& plan,
                                 std::vector<std::optional<BatchResult>> per_batch);

/// All of a plan in this process: run_batches over next_round's batches until none is left,
/// then assemble.
std::vector<CellResult> run_plan(const SweepPlan& plan, Backend& backend,
                                 const DriverOptions& options);

}  // namespace relusim
