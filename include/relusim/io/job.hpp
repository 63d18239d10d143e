// What a sweep's journal records about the run (docs/scale-out.md): the fingerprint that a
// resumed run and every shard must match — the resolved plan, relusim's version, the
// random-number scheme, the backend kind — and what `relusim merge` needs to rebuild the cells
// and write the summary one process would have written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "relusim/engine/plan.hpp"

namespace relusim {

/// JobSource::trials_override of `--trials auto`.
inline constexpr std::int64_t kTrialsOverrideAuto = -1;

/// Where a run's cells came from.
struct JobSource {
  std::string command = "sweep";     ///< "sweep" (a file) or "run" (flags)
  std::string file;                  ///< the sweep file as named on the command line
  std::string text;                  ///< its contents when read
  std::int64_t trials_override = 0;  ///< --trials N: N; --trials auto: kTrialsOverrideAuto
  nlohmann::json definition;         ///< summary.json's "sweep" entry
  std::vector<std::string> swept;    ///< the table's key columns
};

/// The random-number scheme results depend on (part of the fingerprint).
std::string random_number_scheme();

/// The journal header of a run: identity (plan, version, scheme, backend kind, trajectories
/// kept, and the inputs' contents: the sweep file's text and each matrix file's numbers,
/// hashed) plus `shard` {index, count} and `report` (source and definition).
nlohmann::json job_header(const SweepPlan& plan, const JobSource& source,
                          const std::string& backend_kind, Part shard, bool keep_records);

/// The lines of header_differences() as one line, separated by "; ".
std::string join_lines(const std::vector<std::string>& lines);

/// Makes `dir` (an --out directory) this run's: a directory that holds the finished run of
/// another configuration (summary.json's or shard.json's identity differs from `header`'s) is
/// refused with what differs (ConfigError, exit 2), unless `force`, which removes those files
/// first, so that a replacement killed later never leaves the old summary beside the new run's
/// journal. A finished run of the same configuration stays until the new one replaces it.
void claim_output_directory(const std::string& dir, const nlohmann::json& header, bool force);

/// FNV-1a 64 of the header's identity, as 16 hex digits (what shard.json shows).
std::string job_fingerprint(const nlohmann::json& header);

/// The plan a sweep header describes, rebuilt from its recorded source (the cells are read from
/// the recorded file text again; matrix files from their recorded paths).
SweepPlan rebuild_plan(const nlohmann::json& header, JobSource& source);

}  // namespace relusim
