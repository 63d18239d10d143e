#include "relusim/io/job.hpp"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "relusim/io/journal.hpp"
#include "relusim/io/report.hpp"

namespace relusim {

std::string random_number_scheme() {
  return "philox4x32-10 (cuRAND device API word order), counter = (seed, trajectory id, purpose, "
         "row, column); normals by Box-Muller";
}

namespace {

/// The 16 hex digits of the bytes' FNV-1a 64 hash.
std::string hash_hex(std::string_view bytes) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(bytes)));
  return hex;
}

/// An input's content as the header records it: "fnv1a64:" and its hash.
std::string content_hash(std::string_view bytes) {
  return "fnv1a64:" + hash_hex(bytes);
}

}  // namespace

nlohmann::json job_header(const SweepPlan& plan, const JobSource& source,
                          const std::string& backend_kind, Part shard, bool keep_records) {
  nlohmann::json h;
  h["format"] = "relusim-journal/2";
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
  // Every input the results depend on enters the identity by content, so that a matrix file
  // changed between a run and its resume (or between shards) cannot mix two teachers in one
  // summary: the sweep file's text and each matrix file's numbers, hashed.
  nlohmann::json inputs = nlohmann::json::object();
  if (source.command == "sweep") inputs["sweep_file"] = content_hash(source.text);
  for (const CellConfig& c : plan.cells) {
    for (const auto& [file, values] :
         {std::pair{&c.teacher_file, &c.teacher_vector}, std::pair{&c.init_file, &c.init_vector}}) {
      if (file->empty()) continue;
      std::string bytes(values->size() * sizeof(double), '\0');
      if (!values->empty()) std::memcpy(bytes.data(), values->data(), bytes.size());
      inputs["matrix_file " + *file] =
          content_hash(bytes) + " (" + std::to_string(values->size()) + " numbers)";
    }
  }
  h["inputs"] = inputs;
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
  return hash_hex(header_identity(header).dump());
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines)
    s += (s.empty() ? "" : "; ") + l;
  return s;
}

void claim_output_directory(const std::string& dir, const nlohmann::json& header, bool force) {
  namespace fs = std::filesystem;
  const fs::path d(dir);
  std::vector<std::string> present;
  for (const char* name : {"summary.csv", "summary.json", "trajectories.csv", "shard.json"}) {
    std::error_code ec;
    if (fs::exists(d / name, ec)) present.emplace_back(name);
  }
  if (present.empty()) return;
  // The finished run's identity: summary.json's "job", or a shard's fingerprint.
  auto read_json = [&](const char* name) {
    std::ifstream in(d / name);
    nlohmann::json j;
    try {
      if (in) j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception&) {
      j = nullptr;
    }
    return j;
  };
  const std::string there = "the run in " + dir;
  std::vector<std::string> diffs;
  const nlohmann::json summary = read_json("summary.json");
  const nlohmann::json shard = read_json("shard.json");
  if (summary.is_object() && summary.contains("job")) {
    diffs = header_differences(header, summary.at("job"), "this run", there);
  } else if (shard.is_object() && shard.contains("fingerprint")) {
    if (shard.at("fingerprint") != job_fingerprint(header))
      diffs.push_back("its shard's fingerprint " + shard.at("fingerprint").dump() + " is not " +
                      job_fingerprint(header));
  } else {
    diffs.push_back("its summary records no configuration to compare with");
  }
  if (diffs.empty()) return;
  if (!force)
    throw ConfigError("out", dir + " holds the finished run of another configuration (" +
                                 join_lines(diffs) +
                                 "): choose another --out, or add --force to replace it");
  for (const std::string& name : present) {
    std::error_code ec;
    fs::remove(d / name, ec);
    if (ec)
      throw std::runtime_error("--force: cannot remove '" + (d / name).string() +
                               "': " + ec.message());
  }
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
  if (source.trials_override > 0 || source.trials_override == kTrialsOverrideAuto)
    for (CellConfig& c : s.cells)
      set_parameter(c, "trials",
                    source.trials_override > 0 ? ParamValue(source.trials_override)
                                               : ParamValue(std::string("auto")));
  return make_plan(std::move(s.cells), header.at("batch_trajectories").get<std::uint32_t>());
}

}  // namespace relusim
