// merge_shards (include/relusim/app/job.hpp): a sweep's shards, checked against each other, into
// the summary one process would have written.
#include <filesystem>
#include <iostream>
#include <memory>

#include "outputs.hpp"
#include "relusim/app/job.hpp"

namespace relusim {

JobOutcome merge_shards(const std::vector<std::string>& dirs, const std::string& out_dir,
                        bool force, const std::string& command, std::ostream* log_stream) {
  std::ostream& log = log_stream != nullptr ? *log_stream : std::cerr;
  struct Shard {
    std::string dir;
    nlohmann::json header;
    JournalContents journal;
    Part part;
  };
  if (dirs.empty()) throw ConfigError("", "merge needs the shards' directories");
  if (out_dir.empty()) throw ConfigError("out", "merge needs --out DIR");
  std::vector<Shard> shards;
  for (const std::string& dir : dirs) {
    const std::string path = (std::filesystem::path(dir) / kJournalFile).string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      throw ConfigError("", dir + " holds no " + kJournalFile + ": not the --out of a sweep shard");
    Shard s{dir, {}, read_journal(path), {}};
    s.header = s.journal.header;
    if (!s.header.value("shard", nlohmann::json()).is_object())
      throw ConfigError("", "the journal in " + dir + " names no shard");
    s.part = part_of_header(s.header);
    shards.push_back(std::move(s));
  }
  const nlohmann::json& first = shards.front().header;
  auto label = [](const Shard& s) {
    return s.dir + " (shard " + std::to_string(s.part.index) + "/" + std::to_string(s.part.count) +
           ")";
  };
  for (const Shard& s : shards) {
    const auto diffs = header_differences(first, s.header, shards.front().dir, s.dir);
    if (!diffs.empty()) {
      throw ConfigError("", label(s) + " is a shard of another sweep than " +
                                label(shards.front()) + " (" + join_lines(diffs) + ")");
    }
  }
  if (first.value("relusim_version", "") != relusim_version() ||
      first.value("git_revision", "") != relusim_git_revision())
    throw ConfigError("", "the shards were made by relusim " +
                              first.value("relusim_version", std::string("?")) + " (" +
                              first.value("git_revision", std::string("?")) +
                              "); this is relusim " + relusim_version() + " (" +
                              relusim_git_revision() + "): merge with the relusim that made them");
  const int count = shards.front().part.count;
  std::vector<const Shard*> by_index(static_cast<std::size_t>(count) + 1, nullptr);
  for (const Shard& s : shards) {
    if (s.part.count != count)
      throw ConfigError("", "the shards split the sweep differently: " + label(shards.front()) +
                                " and " + label(s));
    const Shard*& slot = by_index[static_cast<std::size_t>(s.part.index)];
    if (slot != nullptr)
      throw ConfigError("", "shard " + std::to_string(s.part.index) + "/" + std::to_string(count) +
                                " is given twice: " + slot->dir + " and " + s.dir);
    slot = &s;
  }
  std::string missing;
  for (int k = 1; k <= count; ++k)
    if (by_index[static_cast<std::size_t>(k)] == nullptr)
      missing += (missing.empty() ? "" : ", ") + std::to_string(k) + "/" + std::to_string(count);
  if (!missing.empty()) throw ConfigError("", "missing shard(s): " + missing);

  JobOutcome outcome;
  JobSource source;
  outcome.plan = rebuild_plan(first, source);
  const SweepPlan& plan = outcome.plan;
  const auto rebuilt = header_differences(
      job_header(plan, source, first.at("backend").get<std::string>(), shards.front().part,
                 first.at("keeps_trajectory_records").get<bool>()),
      first, "the sweep rebuilt from the shards' record", "the shards");
  if (!rebuilt.empty())
    throw ConfigError("", "cannot rebuild the sweep the shards ran (" + join_lines(rebuilt) +
                              "): a matrix file may have changed since");
  std::vector<std::optional<BatchResult>> results(plan.batches.size());
  for (Shard& s : shards) {
    const std::vector<std::size_t> want = part_batches(plan, s.part);
    take_batches(s.journal, plan, s.part, s.dir, results);
    std::size_t have = 0;
    for (std::size_t b : want)
      have += results[b] ? 1 : 0;
    if (have != want.size())
      throw ConfigError("", label(s) + " is incomplete (" + std::to_string(have) + " of " +
                                std::to_string(want.size()) +
                                " batches): resume it with its sweep command and --resume");
  }
  const bool records = first.at("keeps_trajectory_records").get<bool>();
  auto out = std::make_unique<OutputDirectory>(out_dir);
  claim_output_directory(out_dir, first, force);
  outcome.results = assemble(plan, std::move(results));
  outcome.table_keys = job_table_keys(plan, source);
  outcome.trajectories_total = outcome.trajectories_done = plan.total_trajectories;
  outcome.backend_description =
      first.at("backend").get<std::string>() + " (" + std::to_string(count) + " shards)";
  log << "relusim: merged " << count << " shard(s): " << plan.cells.size() << " cell(s), "
      << plan.total_trajectories << " trajectories\n";
  publish_outputs(
      plan, outcome.results, source, out.get(), out_dir,
      {command, outcome.backend_description, 0.0, header_identity(first), job_fingerprint(first)},
      records, log);
  return outcome;
}

}  // namespace relusim
