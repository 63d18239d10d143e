#include "relusim/driver.hpp"

namespace relusim {

std::vector<CellResult> run_plan(const SweepPlan& plan, Backend& backend,
                                 const DriverOptions& options) {
  std::vector<CellResult> results(plan.cells.size());
  std::vector<CellAggregator> aggregators;
  aggregators.reserve(plan.cells.size());
  for (const auto& cell : plan.cells)
    aggregators.emplace_back(cell);
  std::int64_t done = 0;
  for (const PlannedBatch& b : plan.batches) {
    TrajectoryBatch batch{&plan.cells[b.cell], b.first_id, b.count, options.keep_weights};
    BatchResult out = backend.run(batch);
    CellResult& cr = results[b.cell];
    for (const TrajectoryRecord& r : out.records)
      aggregators[b.cell].add(r);
    if (options.keep_records)
      cr.records.insert(cr.records.end(), out.records.begin(), out.records.end());
    if (options.keep_weights)
      cr.final_weights.insert(cr.final_weights.end(), out.final_weights.begin(),
                              out.final_weights.end());
    done += b.count;
    if (options.progress) options.progress(done, plan.total_trajectories);
  }
  for (std::size_t c = 0; c < plan.cells.size(); ++c)
    results[c].summary = aggregators[c].summary();
  return results;
}

}  // namespace relusim
