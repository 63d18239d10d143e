#include "relusim/engine/plan.hpp"

#include <algorithm>
#include <map>

namespace relusim {

namespace {

/// The trials a cell's batches may not straddle: its steps with trials = "auto" (the stopping
/// rule is tested at step ends, so no batch spans two whatever the cap), else all of them.
std::uint64_t batch_step(const CellConfig& cell) {
  const auto trials = static_cast<std::uint64_t>(std::max<std::int64_t>(cell.trials, 1));
  return cell.trials_auto ? static_cast<std::uint64_t>(std::max<std::int64_t>(cell.trials_step, 1))
                          : trials;
}

}  // namespace

LaunchShape launch_shape(const CellConfig& c) {
  return {c.model, c.precision,        c.mode, data_rows(c.mode, c.n_samples, c.batch),
          c.d,     c.own.launch_key(c)};
}

SweepPlan make_plan(std::vector<CellConfig> cells, std::uint32_t max_batch) {
  if (max_batch == 0) throw ConfigError("batch-trajectories", "must be >= 1");
  SweepPlan plan;
  plan.cells = std::move(cells);
  for (std::size_t c = 0; c < plan.cells.size(); ++c) {
    validate(plan.cells[c]);
    const CellConfig& cell = plan.cells[c];
    const auto trials = static_cast<std::uint64_t>(cell.trials);  // < 2^32
    const std::uint64_t step = batch_step(cell);
    for (std::uint64_t first = 0; first < trials;) {  // 64 bits: no wrap
      const std::uint64_t step_end = std::min(trials, (first / step + 1) * step);
      const std::uint64_t count = std::min<std::uint64_t>(max_batch, step_end - first);
      plan.batches.push_back(
          {c, static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(count)});
      first += count;
    }
    plan.total_trajectories += plan.cells[c].trials;
  }
  plan.max_batch = max_batch;
  plan.groups = group_batches(plan, all_batches(plan));
  return plan;
}

std::uint32_t fitting_batch_cap(const std::vector<CellConfig>& cells, std::uint32_t cap) {
  const auto batches = [&cells](std::uint64_t c) {
    std::uint64_t n = 0;
    for (const CellConfig& cell : cells) {
      const auto trials = static_cast<std::uint64_t>(std::max<std::int64_t>(cell.trials, 0));
      const std::uint64_t step = batch_step(cell);
      n += trials / step * ((step + c - 1) / c) + (trials % step + c - 1) / c;  // as make_plan
    }
    return n;
  };
  const std::uint64_t limit = kMaxPlanBatches;
  std::uint64_t lo = std::max<std::uint32_t>(cap, 1), hi = 0xffffffffu;
  if (batches(lo) <= limit) return static_cast<std::uint32_t>(lo);
  if (batches(hi) > limit) return static_cast<std::uint32_t>(hi);
  while (hi - lo > 1) {  // batches(lo) > limit >= batches(hi); batches falls as the cap grows
    const std::uint64_t mid = lo + (hi - lo) / 2;
    (batches(mid) > limit ? lo : hi) = mid;
  }
  return static_cast<std::uint32_t>(hi);
}

std::vector<LaunchGroup> group_batches(const SweepPlan& plan,
                                       const std::vector<std::size_t>& batches) {
  // Gather by shape; a shape's open group is closed when the next batch would overflow it.
  std::vector<LaunchGroup> groups;
  std::map<LaunchShape, std::size_t> open;  // shape -> index of its open group
  for (std::size_t b : batches) {
    const LaunchShape shape = launch_shape(plan.cells[plan.batches[b].cell]);
    auto it = open.find(shape);
    if (it == open.end() ||
        groups[it->second].trajectories + plan.batches[b].count > plan.max_batch) {
      groups.emplace_back();
      it = open.insert_or_assign(shape, groups.size() - 1).first;
    }
    groups[it->second].batches.push_back(b);
    groups[it->second].trajectories += plan.batches[b].count;
  }
  return groups;
}

std::vector<std::size_t> part_of(const std::vector<std::size_t>& batches, Part part) {
  if (part.count < 1 || part.index < 1 || part.index > part.count)
    throw ConfigError("shard", "needs 1 <= k <= N in k/N");
  std::vector<std::size_t> out;
  for (std::size_t i = static_cast<std::size_t>(part.index - 1); i < batches.size();
       i += static_cast<std::size_t>(part.count))
    out.push_back(batches[i]);
  return out;
}

std::vector<std::size_t> all_batches(const SweepPlan& plan) {
  std::vector<std::size_t> all(plan.batches.size());
  for (std::size_t b = 0; b < all.size(); ++b)
    all[b] = b;
  return all;
}

std::vector<std::size_t> part_batches(const SweepPlan& plan, Part part) {
  return part_of(all_batches(plan), part);  // position i of the list is batch i
}

bool in_part(std::size_t b, Part part) {
  return b % static_cast<std::size_t>(part.count) == static_cast<std::size_t>(part.index - 1);
}

std::int64_t trajectories_in(const SweepPlan& plan, const std::vector<std::size_t>& batches) {
  std::int64_t n = 0;
  for (std::size_t b : batches)
    n += plan.batches[b].count;
  return n;
}

}  // namespace relusim
