// What a model registers on the host side (DESIGN.md "Models behind one seam"): its keys with
// help and validation, its theory (the bound a cell is compared with and when it applies), and
// how its records and tallies read in the reports. One registry (models/registry.hpp) maps the
// run-time name to the model type and to this description.
#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "relusim/engine/record.hpp"
#include "relusim/engine/stats.hpp"
#include "relusim/engine/tally.hpp"
#include "relusim/io/config.hpp"
#include "relusim/models/field_types.hpp"

namespace relusim {

struct CellResult;

/// One per-cell statistic computed from a tally: a column of summary.csv and summary.json, and
/// of the terminal table when it has a header there.
struct SummaryColumn {
  std::string name;          ///< CSV and JSON name
  std::string table_header;  ///< empty: not in the table
  int table_digits = 3;
  double (*value)(const CellTally&, const CellConfig&) = nullptr;
  /// Optional text for the table (e.g. an interval); the value with table_digits otherwise.
  std::string (*table_text)(const CellTally&, const CellConfig&) = nullptr;
  bool integer = false;  ///< a count: written as an integer in summary.json
};

/// The column beside a slot's mean that says how many trajectories the mean covers (those that
/// did not diverge and whose value is finite, engine/tally.hpp): `<mean_name>_count`.
template <int Slot>
SummaryColumn slot_count_column(const std::string& mean_name) {
  return {mean_name + "_count",
          "",
          0,
          [](const CellTally& t, const CellConfig&) {
            return static_cast<double>(t.slot_counts[Slot]);
          },
          nullptr,
          true};
}

/// What `relusim theory` asks a model's closed forms about: the keys it takes as given, and a
/// point (x, y) of the model's 2-D reduction when `have_xy`.
struct TheoryQuery {
  std::int64_t n = 10, d = 2, k = 2;
  double eps = 0.1;
  bool have_xy = false;
  double x = 0.0, y = 0.0;
};

/// One closed form of a model's theory: `key` names it for programs (the Python module's dict),
/// `label` for people (`relusim theory` prints the label, the value and the note on one line).
/// A value of two numbers is a point or a vector of the model's 2-D reduction.
struct TheoryEntry {
  std::string key;
  std::string label;
  std::vector<double> values;
  bool integer = false;  ///< a count (N, d, K), printed as an integer
  std::string note;      ///< the formula or the source, after the value
};

struct BatchResult;

struct ModelInfo {
  std::string name;                                       ///< as the user writes it: A, B, ...
  std::string summary;                                    ///< one line for --help
  std::vector<ParamInfo> parameters;                      ///< every key, in output order
  std::array<std::string, kOutcomeCount> outcomes;        ///< column names of the outcome counts
  std::array<std::string, kOutcomeCount> short_outcomes;  ///< table headers of the same
  std::vector<std::string> default_table_keys;            ///< table columns when nothing is swept
  void (*apply_defaults)(CellConfig&) = nullptr;          ///< when `model` selects this model
  void (*validate)(const CellConfig&) = nullptr;          ///< the model's own checks
  /// Writes a validated cell in one form: keys its dynamics and reports do not read for it (B in
  /// fixed mode, lambda without a regulariser, ...) set to their defaults, equal values written
  /// one way (teacher ones as its vector). Cells equal after it are the same cell (a sweep that
  /// holds two is refused, io/report.hpp cell_identity).
  void (*canonical)(CellConfig&) = nullptr;
  TheoryBound (*bound)(const CellConfig&) = nullptr;  ///< the theorem of the cell
  /// Why the theorem's hypotheses fail for the cell (MODEL.md §5), or "" when they hold; the
  /// verdict is then `outside`, never `violated`.
  std::string (*outside_reason)(const CellTally&, const CellConfig&) = nullptr;
  /// Whether outside_reason's answer is settled on this tally, for until = "verdict" (a cell
  /// with trials = "auto" stops only then): false while an estimate it rests on (Model A: the
  /// share of designs within Kong's lambda bound, against one half) could still cross its
  /// threshold. Null: outside_reason does not depend on the sample.
  bool (*outside_settled)(const CellTally&, const CellConfig&) = nullptr;
  std::vector<SummaryColumn> columns;  ///< after rate, interval, bound, verdict
  std::string trajectory_header;       ///< trajectories.csv, after the common part
  std::string (*trajectory_row)(const TrajectoryRecord&) = nullptr;
  nlohmann::json (*resolved)(const CellConfig&) = nullptr;              ///< summary.json "resolved"
  std::string (*table_note)(const std::vector<CellConfig>&) = nullptr;  ///< below the table
  /// Below the table too, from the results (Model C: ResLink and vanilla side by side).
  std::string (*comparison)(const std::vector<CellConfig>&,
                            const std::vector<CellResult>&) = nullptr;
  /// The trace command's columns after `step`: names and the record slots they show.
  std::vector<std::pair<std::string, int>> trace_columns;
  std::string weight_prefix = "w";  ///< trace's weight columns: w0, w1, ... (row-major)
  /// `relusim field` (models/field.hpp): the model's 2-D vector field for trajectory `id` (null:
  /// it has none), the grid it is drawn on unless the user gives ranges, and what a cell given by
  /// flags needs for it (`d_given`: whether the user set d).
  Field (*field)(const CellConfig&, std::uint32_t id, const FieldGrid&) = nullptr;
  FieldGrid field_grid{};
  void (*complete_field_cell)(CellConfig&, bool d_given) = nullptr;
  /// `relusim theory` and relusim.theory(): the model's closed forms for the query (null: it has
  /// none); throws ConfigError naming the key of a value out of range.
  std::vector<TheoryEntry> (*theory)(const TheoryQuery&) = nullptr;
  /// Host work on a batch after a backend ran it, for the cells `finishes` names (Model B: the
  /// curvature of stuck points in expected mode). Such a batch is run with its records and
  /// final weights kept; `finish` reads them (records in id order, weight_count each), updates
  /// records and tally alike, and what the caller did not ask for is dropped again
  /// (models/finish.hpp). Null: the model has none.
  bool (*finishes)(const CellConfig&) = nullptr;
  void (*finish)(const CellConfig&, BatchResult&) = nullptr;
};

/// The registration of a model by name; throws ConfigError("model") if unknown.
const ModelInfo& model_info(const std::string& name);
/// Every registered model's name, in registry order.
std::vector<std::string> model_names();

}  // namespace relusim
