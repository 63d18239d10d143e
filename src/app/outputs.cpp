// What run_job and merge_shards share (src/app/outputs.hpp).
#include "outputs.hpp"

namespace relusim {

std::vector<std::string> job_table_keys(const SweepPlan& plan, const JobSource& source) {
  return table_keys(source.swept, plan.cells.empty() ? std::string("A") : plan.cells.front().model);
}

Part part_of_header(const nlohmann::json& header) {
  const nlohmann::json& sh = header.at("shard");
  return {sh.at("index").get<int>(), sh.at("count").get<int>()};
}

std::size_t take_batches(JournalContents& j, const SweepPlan& plan, Part part,
                         const std::string& dir, std::vector<std::optional<BatchResult>>& results) {
  std::size_t taken = 0;
  for (auto& [b, r] : j.batches) {
    if (b >= plan.batches.size() || !in_part(b, part) || r.tally.trials != plan.batches[b].count)
      throw JournalError("the journal in " + dir + " holds a batch that is not its part's");
    if (!results[b]) {
      results[b] = std::move(r);
      ++taken;
    }
  }
  return taken;
}

void publish_outputs(const SweepPlan& plan, const std::vector<CellResult>& results,
                     const JobSource& source, OutputDirectory* out, const std::string& out_dir,
                     const RunProvenance& run, bool keep_trajectories, std::ostream& log) {
  if (out == nullptr) return;
  out->stage("summary.csv", summary_csv(plan.cells, results));
  out->stage("summary.json",
             summary_json(plan.cells, results, run, source.definition).dump(2) + "\n");
  if (keep_trajectories) out->stage("trajectories.csv", trajectories_csv(plan.cells, results));
  out->commit();
  log << "relusim: wrote " << out_dir << "/summary.csv, summary.json"
      << (keep_trajectories ? ", trajectories.csv" : "") << '\n';
}

}  // namespace relusim
