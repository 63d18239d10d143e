#include "relusim/engine/driver.hpp"

#include <algorithm>
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

std::vector<CellProgress> cell_progress(const SweepPlan& plan,
                                        const std::vector<std::optional<BatchResult>>& per_batch) {
  if (per_batch.size() != plan.batches.size())
    throw std::logic_error("cell_progress: one entry per batch is needed");
  std::vector<CellProgress> out(plan.cells.size());
  for (std::size_t b = plan.batches.size(); b-- > 0;)  // batches are cell by cell
    out[plan.batches[b].cell].first_batch = b;
  for (std::size_t b = 0; b < plan.batches.size(); ++b)
    out[plan.batches[b].cell].end_batch = b + 1;
  for (std::size_t c = 0; c < plan.cells.size(); ++c) {
    const CellConfig& cell = plan.cells[c];
    CellProgress& p = out[c];
    CellTally prefix;
    for (std::size_t b = p.first_batch; b < p.end_batch; ++b) {
      if (!per_batch[b]) break;
      const PlannedBatch& pb = plan.batches[b];
      const std::int64_t end = static_cast<std::int64_t>(pb.first_id) + pb.count;
      const bool last = b + 1 == p.end_batch;
      if (!cell.trials_auto) {
        if (last)
          p = {true, p.first_batch, p.end_batch, b + 1 - p.first_batch, 0, kStoppedByTrials};
        continue;
      }
      add_counts(prefix, per_batch[b]->tally);             // the rule reads counts only
      if (end % cell.trials_step != 0 && !last) continue;  // inside a step
      ++p.steps_present;
      const bool met = stop_rule_met(cell, prefix);
      if (met || last) {
        p.decided = true;
        p.batches_used = b + 1 - p.first_batch;
        p.stopped_by = !met                                ? kStoppedByMaxTrials
                       : cell.until == StopTarget::verdict ? kStoppedByVerdict
                                                           : kStoppedByHalfwidth;
        break;
      }
    }
  }
  return out;
}

std::vector<std::size_t> next_round(const SweepPlan& plan,
                                    const std::vector<std::size_t>& candidates,
                                    const std::vector<std::optional<BatchResult>>& per_batch,
                                    bool early_stop) {
  const std::vector<CellProgress> progress = cell_progress(plan, per_batch);
  std::size_t undecided = 0;
  for (std::size_t c = 0; c < plan.cells.size(); ++c)
    undecided += plan.cells[c].trials_auto && !progress[c].decided ? 1 : 0;
  std::vector<std::size_t> out;
  for (std::size_t b : candidates) {
    if (per_batch[b]) continue;
    const PlannedBatch& pb = plan.batches[b];
    const CellConfig& cell = plan.cells[pb.cell];
    const CellProgress& p = progress[pb.cell];
    if (!cell.trials_auto || !early_stop) {
      out.push_back(b);
      continue;
    }
    if (p.decided) continue;
    const auto step = static_cast<std::uint64_t>(cell.trials_step);
    const std::uint64_t fill =
        std::max<std::uint64_t>(1, plan.max_batch / (step * std::max<std::size_t>(undecided, 1)));
    const std::uint64_t k =
        std::max<std::uint64_t>(1, std::min<std::uint64_t>(p.steps_present, fill));
    if (pb.first_id / step < p.steps_present + k) out.push_back(b);
  }
  return out;
}

std::vector<CellResult> assemble(const SweepPlan& plan,
                                 std::vector<std::optional<BatchResult>> per_batch) {
  if (per_batch.size() != plan.batches.size())
    throw std::logic_error("assemble: one result per batch is needed");
  const std::vector<CellProgress> progress = cell_progress(plan, per_batch);
  std::vector<CellResult> results(plan.cells.size());
  for (std::size_t c = 0; c < plan.cells.size(); ++c) {
    const CellProgress& p = progress[c];
    if (!p.decided) {
      std::size_t missing = p.first_batch;
      while (missing < p.end_batch && per_batch[missing])
        ++missing;
      throw std::logic_error("assemble: batch " + std::to_string(missing) + " missing");
    }
    CellAggregator aggregator(plan.cells[c]);
    CellResult& cr = results[c];
    for (std::size_t b = p.first_batch; b < p.first_batch + p.batches_used; ++b) {
      BatchResult& out = *per_batch[b];
      aggregator.add(out.tally);
      cr.records.insert(cr.records.end(), out.records.begin(), out.records.end());
      cr.final_weights.insert(cr.final_weights.end(), out.final_weights.begin(),
                              out.final_weights.end());
    }
    cr.summary = aggregator.summary();
    cr.summary.stopped_by = p.stopped_by;
  }
  return results;
}

std::vector<CellResult> run_plan(const SweepPlan& plan, Backend& backend,
                                 const DriverOptions& options) {
  std::vector<std::optional<BatchResult>> per_batch(plan.batches.size());
  std::int64_t done = 0;
  const std::vector<std::size_t> all = all_batches(plan);
  for (std::vector<std::size_t> round = next_round(plan, all, per_batch); !round.empty();
       round = next_round(plan, all, per_batch))
    run_batches(plan, round, backend, options.keep_records, options.keep_weights,
                [&](std::size_t b, BatchResult&& r) {
                  per_batch[b] = std::move(r);
                  done += plan.batches[b].count;
                  if (options.progress) options.progress(done, plan.total_trajectories);
                });
  return assemble(plan, std::move(per_batch));
}

}  // namespace relusim
