// `relusim reproduce`: each experiment of the papers as one command that runs it, writes its data
// (CSV), the scripts that draw its figures (matplotlib, Debian's python3; src/reproduce/figures)
// and a report that states, claim by claim, what the paper says, what relusim measured and a
// verdict. An experiment is a function of a `Lab`, which runs sweeps and traces on the chosen
// backend, keeps the files and the claims, and writes report.md and verdicts.json when the
// experiment ends (docs/reproductions.md).
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/driver.hpp"
#include "relusim/io/config.hpp"

namespace relusim {

/// One checked statement of a paper.
struct Claim {
  std::string id;         ///< machine-readable key, unique within the experiment
  std::string paper;      ///< what the paper states, quoted where it gives a number
  std::string measured;   ///< what relusim measured, in words and numbers
  std::string verdict{};  ///< kReproduced, kNotReproduced or kPartly (set by Lab::claim)
  std::string reason{};   ///< why (always for `partly` and `not reproduced`)
  double value = std::numeric_limits<double>::quiet_NaN();  ///< the measured number, if one
  double lo = std::numeric_limits<double>::quiet_NaN();     ///< its 95% interval, if one
  double hi = std::numeric_limits<double>::quiet_NaN();
};

inline constexpr const char* kReproduced = "reproduced";
inline constexpr const char* kNotReproduced = "not reproduced";
inline constexpr const char* kPartly = "partly";

struct ReproduceOptions {
  bool quick = false;           ///< the small version (CI); else the paper's sizes
  std::string out_dir;          ///< the experiment's directory
  std::string command;          ///< the command line, for the report
  bool progress = false;        ///< progress bars on stderr
  bool draw = true;             ///< run the figure scripts (when matplotlib is there)
  std::ostream* log = nullptr;  ///< messages and progress; nullptr: std::cerr (and the figure
                                ///< scripts' output too; with a log they are quiet)
  std::string python;           ///< draws the figures; empty: RELUSIM_PYTHON or Debian's python3
};

/// What an experiment left behind.
struct ExperimentReport {
  std::string name;
  std::string title;
  std::vector<Claim> claims;
  std::vector<std::string> figures;  ///< stems: STEM.py draws STEM.png and STEM.svg
  bool figures_drawn = false;
  double seconds = 0.0;
};

class Lab {
 public:
  /// `experiment`: the name whose figure scripts figure() writes (src/reproduce/figures/NAME/).
  Lab(const ReproduceOptions& options, Backend& backend, std::string experiment);
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  bool quick() const { return options_.quick; }
  /// `full` at the paper's size, `small` in the quick version.
  template <class T>
  T pick(T full, T small) const {
    return options_.quick ? small : full;
  }
  Backend& backend() { return *backend_; }

  struct Sweep {
    std::vector<CellConfig> cells;
    std::vector<CellResult> results;
  };
  /// Runs the sweep file `toml` (as `relusim sweep` reads it) and writes it as NAME.toml (so a
  /// user can vary it) and its summary as NAME.csv. Records are kept on request.
  Sweep sweep(const std::string& name, const std::string& toml, bool keep_records = false);

  /// One trajectory as `relusim trace` prints it (CSV text, header first); its record on request.
  std::string trace(const CellConfig& cell, std::uint32_t id, std::int64_t every,
                    TrajectoryRecord* record = nullptr);

  /// Writes a file of the experiment (atomically: never half-written).
  void write(const std::string& name, const std::string& contents);
  /// A figure: writes the experiment's script STEM.py (src/reproduce/figures/NAME/STEM.py, carried
  /// in the binary) and, once, relusim_plot.py, which it imports; STEM.py draws STEM.png and
  /// STEM.svg from the experiment's CSV files.
  void figure(const std::string& stem, const std::string& caption);
  /// Records a checked statement of the paper with its verdict (kReproduced, kPartly or
  /// kNotReproduced) and, when the verdict is not kReproduced, why (`reason`; dropped when it
  /// is). Every claim of an experiment goes through here or check().
  void claim(Claim c, const char* verdict, std::string reason = "");
  /// The common case: reproduced when `holds`, else not reproduced because of `reason`.
  void check(Claim c, bool holds, std::string reason = "") {
    claim(std::move(c), holds ? kReproduced : kNotReproduced, std::move(reason));
  }
  /// A claim whose verdict and reason were decided where it was made (kong_theorem5_claim).
  void claim(Claim c);
  /// A paragraph of the report (Markdown), after the verdict table.
  void note(const std::string& markdown);
  /// A line on the log (ReproduceOptions::log, else stderr): what the experiment is doing now.
  void say(const std::string& what) const;
  std::ostream& log() const;

  const std::vector<Claim>& claims() const { return claims_; }

  /// Writes report.md and verdicts.json and draws the figures; called once by run_experiment.
  ExperimentReport finish(const std::string& name, const std::string& title,
                          const std::string& source, const std::string& summary, double seconds);

 private:
  ReproduceOptions options_;
  Backend* backend_;
  std::string experiment_;
  std::vector<Claim> claims_;
  std::vector<std::pair<std::string, std::string>> figures_;  // stem, caption
  std::vector<std::string> notes_;
  std::vector<std::string> files_;
};

/// A figure script of src/reproduce/figures by its path there ("tian-fig2/fig2.py",
/// "relusim_plot.py"): the file's bytes, carried in the binary (generated at build time; the
/// install puts the files in share/relusim/figures). Throws std::logic_error when there is none.
const std::string& figure_script(const std::string& path);

struct Experiment {
  std::string name;
  std::string title;     ///< e.g. "Kong Table 1: convergence rates against Theorem 5's bound"
  std::string source;    ///< where in the papers
  std::string summary;   ///< one line for `reproduce list`
  double quick_seconds;  ///< measured on the 2-core development machine, CPU backend
  double full_seconds;
  std::function<void(Lab&)> run;
};

/// Every experiment, in the order `reproduce list` prints them.
const std::vector<Experiment>& experiments();
/// Throws ConfigError("experiment") naming the known ones when there is none of that name.
const Experiment& find_experiment(const std::string& name);

/// Runs one experiment into options.out_dir.
ExperimentReport run_experiment(const Experiment& e, const ReproduceOptions& options,
                                Backend& backend);

/// The index page of `reproduce all`: one row per experiment, its verdict counts, a link.
std::string reproduce_index(const std::vector<ExperimentReport>& reports, bool quick);

/// Runs a figure script with Debian's python3 (or $RELUSIM_PYTHON) when it has matplotlib.
/// Returns false (after saying how to draw it later) when there is no matplotlib; throws when
/// the script fails.
bool draw_figure_script(const std::string& script);

}  // namespace relusim
