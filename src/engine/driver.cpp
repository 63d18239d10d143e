#include "relusim/engine/driver.hpp"

namespace relusim {

std::vector<CellResult> run_plan(const SweepPlan& plan, Backend& backend,
                                 const DriverOptions& options) {
  std::vector<CellResult> results(plan.cells.size());
  std::vector<CellAggregator> aggregators;
  aggregators.reserve(plan.cells.size());
  for (const auto& cell : plan.cells)
    aggregators.emplace_back(cell);
  std::int64_t done = 0;
  for (const LaunchGroup& group : plan.groups) {
    std::vector<TrajectoryBatch> batches;
    for (std::size_t b : group.batches) {
      const PlannedBatch& pb = plan.batches[b];
      batches.push_back({&plan.cells[pb.cell], pb.first_id, pb.count, options.keep_records,
                         options.keep_weights});
    }
    std::vector<BatchResult> outs = backend.run_group(batches);
    for (std::size_t i = 0; i < group.batches.size(); ++i) {
      const std::size_t cell = plan.batches[group.batches[i]].cell;
      BatchResult& out = outs[i];
      CellResult& cr = results[cell];
      aggregators[cell].add(out.tally);
      if (options.keep_records)
        cr.records.insert(cr.records.end(), out.records.begin(), out.records.end());
      if (options.keep_weights)
        cr.final_weights.insert(cr.final_weights.end(), out.final_weights.begin(),
                                out.final_weights.end());
    }
    done += group.trajectories;
    if (options.progress) options.progress(done, plan.total_trajectories);
  }
  for (std::size_t c = 0; c < plan.cells.size(); ++c)
    results[c].summary = aggregators[c].summary();
  return results;
}

}  // namespace relusim
