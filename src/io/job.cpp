#include "relusim/io/job.hpp"

#include <cstdio>

#include "relusim/io/journal.hpp"
#include "relusim/io/report.hpp"

namespace relusim {

std::string random_number_scheme() {
  return "philox4x32-10 (cuRAND device API word order), counter = (seed, trajectory id, purpose, "
         "row, column); normals by Box-Muller";
}

nlohmann::json job_header(const SweepPlan& plan, const JobSource& source,
                          const std::string& backend_kind, Part shard, bool keep_records) {
  nlohmann::json h;
  h["format"] = "relusim-journal/1";
  h["relusim_version"] = relusim_version();
  h["git_revision"] = relusim_git_revision();
  h["random_numbers"] = random_number_scheme();
  h["backend"] = backend_kind;
  h["batch_trajectories"] = plan.max_batch;
  h["batches"] = plan.batches.size();
  h["trajectories"] = plan.total_trajectories;
  h["keeps_trajectory_records"] = keep_records;
  nlohmann::json cells = nlohmann::json::array();
  for (const CellConfig& c : plan.cells)
    cells.push_back(cell_json(c));
  h["cells"] = cells;
  h["shard"] = {{"index", shard.index}, {"count", shard.count}};
  h["report"] = {{"command", source.command},
                 {"file", source.file},
                 {"text", source.text},
                 {"trials_override", source.trials_override},
                 {"definition", source.definition},
                 {"swept", source.swept}};
  return h;
}

std::string job_fingerprint(const nlohmann::json& header) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(fnv1a64(header_identity(header).dump())));
  return hex;
}

SweepPlan rebuild_plan(const nlohmann::json& header, JobSource& source) {
  const nlohmann::json& r = header.at("report");
  source.command = r.at("command").get<std::string>();
  source.file = r.at("file").get<std::string>();
  source.text = r.at("text").get<std::string>();
  source.trials_override = r.at("trials_override").get<std::int64_t>();
  source.definition = r.at("definition");
  source.swept = r.at("swept").get<std::vector<std::string>>();
  if (source.command != "sweep")
    throw JournalError("the journal was written by `relusim " + source.command +
                       "`; only sweeps are split into shards");
  SweepConfig s = parse_sweep_text(source.text, source.file);
  if (source.trials_override > 0)
    for (CellConfig& c : s.cells)
      c.trials = source.trials_override;
  return make_plan(std::move(s.cells), header.at("batch_trajectories").get<std::uint32_t>());
}

}  // namespace relusim
