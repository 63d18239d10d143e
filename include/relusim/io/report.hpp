// Reports: the aligned table on the terminal and the files of --out DIR. Files are written to
// NAME.partial and renamed only when every file is complete, so an interrupted or failed run never
// leaves a file that looks complete.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "relusim/io/config.hpp"
#include "relusim/io/param_parsing.hpp"  // report_number
#include "relusim/engine/driver.hpp"

namespace relusim {

/// What the files record about how a run was made.
struct RunProvenance {
  std::string command_line;
  std::string backend;
  double seconds = 0.0;
  nlohmann::json job;       ///< the run's identity (io/job.hpp); summary.json keeps it as "job"
  std::string fingerprint;  ///< its hash, as shard.json shows it
};

/// Keys shown as table columns: the swept ones, or the model's default set when nothing is swept.
std::vector<std::string> table_keys(const std::vector<std::string>& swept,
                                    const std::string& model);

void print_table(std::ostream& os, const std::vector<CellConfig>& cells,
                 const std::vector<CellResult>& results, const std::vector<std::string>& keys);

std::string summary_csv(const std::vector<CellConfig>& cells,
                        const std::vector<CellResult>& results);
/// summary.csv's columns in order, each with its kind: 'i' integer, 'f' real (a missing value is
/// written "nan"), 'b' true/false, 's' text (the Python module's DataFrame dtypes).
std::vector<std::pair<std::string, char>> summary_csv_schema(const std::vector<CellConfig>& cells);
nlohmann::json summary_json(const std::vector<CellConfig>& cells,
                            const std::vector<CellResult>& results, const RunProvenance& run,
                            const nlohmann::json& sweep_definition);
std::string trajectories_csv(const std::vector<CellConfig>& cells,
                             const std::vector<CellResult>& results);

/// The resolved configuration of one cell as JSON (every key of the registry).
nlohmann::json cell_json(const CellConfig& cell);

/// What a cell's results depend on, as JSON: cell_json of its model's canonical form
/// (models/model_info.hpp). Two cells with the same identity give the same numbers.
nlohmann::json cell_identity(const CellConfig& cell);

/// Refuses (ConfigError, exit 2) a list of cells two of which have the same identity: they would
/// run twice to the same numbers. The message names both cells and the keys they differ in as
/// written.
void refuse_identical_cells(const std::vector<CellConfig>& cells);

/// Writes `contents` to `path` (created or truncated) and syncs it; every write, the sync and the
/// close are checked, and any failure (a full disk, a refused device) throws BackendError naming
/// the file and the reason.
void write_file_synced(const std::string& path, std::string_view contents);
/// Renames `from` to `to` and syncs the directory; throws BackendError when the rename fails.
void rename_synced(const std::string& from, const std::string& to);

/// Stages files in a directory and publishes them together.
class OutputDirectory {
 public:
  explicit OutputDirectory(std::string path);  // creates the directory; throws BackendError
  ~OutputDirectory();                          // removes staged files that were not committed
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;
  void stage(const std::string& name, const std::string& contents);
  void commit();

 private:
  std::string path_;
  std::vector<std::string> staged_;
  bool committed_ = false;
};

/// A message as one line: control characters (a newline inside a TOML string, say) written as
/// escapes (\n, \t, \xNN), so user text can neither break a message nor forge another line.
std::string one_line(std::string_view s);

/// `s` as a POSIX shell reads it back (quoted when it has to be).
std::string shell_quote(const std::string& s);

std::string relusim_version();
std::string relusim_git_revision();

}  // namespace relusim
