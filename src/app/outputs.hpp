// What run_job and merge_shards share (src/app only): the journal's batches taken into a plan's
// results, and the outputs published together.
#pragma once
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "relusim/engine/driver.hpp"
#include "relusim/engine/plan.hpp"
#include "relusim/io/job.hpp"
#include "relusim/io/journal.hpp"
#include "relusim/io/report.hpp"

namespace relusim {

inline constexpr const char* kJournalFile = "journal.rsj";

/// The table's key columns for a job's cells.
std::vector<std::string> job_table_keys(const SweepPlan& plan, const JobSource& source);

/// The part of the plan a journal header's run owns.
Part part_of_header(const nlohmann::json& header);

/// Moves a journal's batches into `results` (the first record of a batch wins); each must be a
/// batch of `part` with the plan's size for it. Returns how many batches were new.
std::size_t take_batches(JournalContents& j, const SweepPlan& plan, Part part,
                         const std::string& dir, std::vector<std::optional<BatchResult>>& results);

/// summary.csv, summary.json and (keep_trajectories) trajectories.csv, published together in
/// `out` (nothing without one).
void publish_outputs(const SweepPlan& plan, const std::vector<CellResult>& results,
                     const JobSource& source, OutputDirectory* out, const std::string& out_dir,
                     const RunProvenance& run, bool keep_trajectories, std::ostream& log);

}  // namespace relusim
