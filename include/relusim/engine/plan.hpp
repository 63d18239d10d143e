// The plan: a sweep's cells cut into batches of trajectories, and batches of the same shape
// gathered into launch groups that a backend runs in one go (one kernel launch on the GPU).
#pragma once

#include <cstdint>
#include <string>
#include <compare>
#include <vector>

#include "relusim/io/config.hpp"

namespace relusim {

struct PlannedBatch {
  std::size_t cell = 0;  ///< index into SweepPlan::cells
  std::uint32_t first_id = 0;
  std::uint32_t count = 0;
};

/// Batches that share a launch: consecutive entries of SweepPlan::batches in group order.
struct LaunchGroup {
  std::vector<std::size_t> batches;  ///< indices into SweepPlan::batches
  std::int64_t trajectories = 0;
};

struct SweepPlan {
  std::vector<CellConfig> cells;
  std::vector<PlannedBatch> batches;  ///< cell by cell, ids ascending
  std::vector<LaunchGroup> groups;  ///< every batch in exactly one group; a cell's batches in order
  std::int64_t total_trajectories = 0;
  std::uint32_t max_batch = 0;  ///< the cap the plan was cut with
};

/// What must agree for cells to share a launch (hence block size and workspace size).
struct LaunchShape {
  std::string model;
  Precision precision = Precision::f64;
  DataMode mode = DataMode::fixed;
  int rows = 0;  ///< data rows a trajectory keeps (data_rows)
  int d = 0;     ///< input dimension
  /// The model's own part (ModelFields::launch_key): Model B's K, Model C's wave shape.
  std::vector<std::int64_t> model_key;
  auto operator<=>(const LaunchShape&) const = default;
};
LaunchShape launch_shape(const CellConfig& cell);

/// The most batches a plan is cut into where the trials allow it: a run holds every batch's
/// result until the end, a few hundred bytes each, so 2^20 batches stay within some hundreds of
/// megabytes (4096-trajectory batches reach it at 4.3e9 trajectories).
inline constexpr std::uint64_t kMaxPlanBatches = std::uint64_t{1} << 20;

/// `cap`, or the least larger batch cap that cuts `cells` into at most kMaxPlanBatches batches
/// (results do not depend on the cap). With more cells than that, the largest cap.
std::uint32_t fitting_batch_cap(const std::vector<CellConfig>& cells, std::uint32_t cap);

/// Cuts every cell's trials into batches of at most `max_batch` trajectories and gathers batches
/// of the same launch shape into groups of at most `max_batch` trajectories, keeping the order in
/// which each shape first appears and, within a group, the plan's order.
SweepPlan make_plan(std::vector<CellConfig> cells, std::uint32_t max_batch);

/// Launch groups over some of the plan's batches (indices into plan.batches, ascending), by the
/// rule of make_plan: what one process runs of a plan split over processes (docs/scale-out.md).
std::vector<LaunchGroup> group_batches(const SweepPlan& plan,
                                       const std::vector<std::size_t>& batches);

/// Every batch of the plan: 0, 1, ..., batches - 1.
std::vector<std::size_t> all_batches(const SweepPlan& plan);

/// The k-th (1-based) of `count` deterministic parts of a plan: batch b belongs to part
/// (b mod count) + 1. Every batch is in exactly one part, whatever `count` is.
struct Part {
  int index = 1;
  int count = 1;
};
std::vector<std::size_t> part_batches(const SweepPlan& plan, Part part);
/// Whether batch `b` is in `part` (the rule of part_batches).
bool in_part(std::size_t b, Part part);

/// The same rule over a list: the entries at positions i with (i mod count) + 1 == index.
std::vector<std::size_t> part_of(const std::vector<std::size_t>& batches, Part part);

/// Trajectories in the given batches.
std::int64_t trajectories_in(const SweepPlan& plan, const std::vector<std::size_t>& batches);

}  // namespace relusim
