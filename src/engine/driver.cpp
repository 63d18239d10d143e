#include "relusim/engine/driver.hpp"

#include <stdexcept>
#include <string>

namespace relusim {

bool run_batches(const SweepPlan& plan, const std::vector<std::size_t>& which, Backend& backend,
                 bool keep_records, bool keep_weights, const BatchSink& sink,
                 const std::function<bool()>& stop) {
  for (const LaunchGroup& group : group_batches(plan, which)) {
    if (stop && stop()) return false;
    std::vector<TrajectoryBatch> batches;
    for (std::size_t b : group.batches) {
      const PlannedBatch& pb = plan.batches[b];
      batches.push_back({&plan.cells[pb.cell], pb.first_id, pb.count, keep_records, keep_weights});
    }
    std::vector<BatchResult> outs = backend.run_group(batches);
    for (std::size_t i = 0; i < group.batches.size(); ++i)
      sink(group.batches[i], std::move(outs[i]));
  }
  return true;
}

std::vector<CellResult> assemble(const SweepPlan& plan,
                                 std::vector<std::optional<BatchResult>> per_batch) {
  if (per_batch.size() != plan.batches.size())
    throw std::logic_error("assemble: one result per batch is needed");
  std::vector<CellResult> results(plan.cells.size());
  std::vector<CellAggregator> aggregators;
  aggregators.reserve(plan.cells.size());
  for (const auto& cell : plan.cells)
    aggregators.emplace_back(cell);
  for (std::size_t b = 0; b < plan.batches.size(); ++b) {
    if (!per_batch[b]) throw std::logic_error("assemble: batch " + std::to_string(b) + " missing");
    BatchResult& out = *per_batch[b];
    CellResult& cr = results[plan.batches[b].cell];
    aggregators[plan.batches[b].cell].add(out.tally);
    cr.records.insert(cr.records.end(), out.records.begin(), out.records.end());
    cr.final_weights.insert(cr.final_weights.end(), out.final_weights.begin(),
                            out.final_weights.end());
  }
  for (std::size_t c = 0; c < plan.cells.size(); ++c)
    results[c].summary = aggregators[c].summary();
  return results;
}

std::vector<CellResult> run_plan(const SweepPlan& plan, Backend& backend,
                                 const DriverOptions& options) {
  std::vector<std::optional<BatchResult>> per_batch(plan.batches.size());
  std::int64_t done = 0;
  run_batches(plan, all_batches(plan), backend, options.keep_records, options.keep_weights,
              [&](std::size_t b, BatchResult&& r) {
                per_batch[b] = std::move(r);
                done += plan.batches[b].count;
                if (options.progress) options.progress(done, plan.total_trajectories);
              });
  return assemble(plan, std::move(per_batch));
}

}  // namespace relusim
