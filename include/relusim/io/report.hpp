// Reports: the aligned table on the terminal and the files of --out DIR. Files are written to
// NAME.partial and renamed only when every file is complete, so an interrupted or failed run never
// leaves a file that looks complete.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "relusim/io/config.hpp"
#include "relusim/engine/driver.hpp"

namespace relusim {

/// What the files record about how a run was made.
struct RunProvenance {
  std::string command_line;
  std::string backend;
  double seconds = 0.0;
};

/// Keys shown as table columns: the swept ones, or the model's default set when nothing is swept.
std::vector<std::string> table_keys(const std::vector<std::string>& swept,
                                    const std::string& model);

/// A number as the files write it: 10 significant digits, "nan" for NaN.
std::string report_number(double v);

void print_table(std::ostream& os, const std::vector<CellConfig>& cells,
                 const std::vector<CellResult>& results, const std::vector<std::string>& keys);

std::string summary_csv(const std::vector<CellConfig>& cells,
                        const std::vector<CellResult>& results);
nlohmann::json summary_json(const std::vector<CellConfig>& cells,
                            const std::vector<CellResult>& results, const RunProvenance& run,
                            const nlohmann::json& sweep_definition);
std::string trajectories_csv(const std::vector<CellConfig>& cells,
                             const std::vector<CellResult>& results);

/// The resolved configuration of one cell as JSON (every key of the registry).
nlohmann::json cell_json(const CellConfig& cell);

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

/// `s` as a POSIX shell reads it back (quoted when it has to be).
std::string shell_quote(const std::string& s);

std::string relusim_version();
std::string relusim_git_revision();

}  // namespace relusim
