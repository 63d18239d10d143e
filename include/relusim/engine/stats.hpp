// Aggregation of trajectory tallies into per-cell statistics next to the theory (MODEL.md §5),
// for any model: the common part here, the model's columns from its registration (stats.cpp looks
// the registration up, so it sits in the registry layer; this header names ModelInfo only).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "relusim/engine/tally.hpp"
#include "relusim/io/config.hpp"

namespace relusim {

struct ModelInfo;  // models/model_info.hpp: the model's columns

/// The theorem a cell is compared with and its lower bound on the convergence rate.
struct TheoryBound {
  std::string name;  ///< e.g. "tian-3.3", "kong-5", or "none"
  double value;      ///< NaN when no theorem applies
};

struct Interval {
  double lo;
  double hi;
};

/// 95% (z = 1.96) Wilson score interval for k successes in n trials.
Interval wilson_interval(std::int64_t k, std::int64_t n, double z = 1.959963984540054);

/// The theorem a cell is compared with (its model's registration decides).
TheoryBound theory_bound_for(const CellConfig& cell);

/// A cell's verdicts (MODEL.md §5), as summary.csv writes them; see verdict().
inline constexpr const char* kVerdictNoBound = "n/a";
inline constexpr const char* kVerdictOutside = "outside";
inline constexpr const char* kVerdictHolds = "holds";
inline constexpr const char* kVerdictCensored = "censored";
inline constexpr const char* kVerdictViolated = "violated";

/// MODEL.md §5: "n/a" without a bound; "outside" when `outside_reason` is not empty (the
/// theorem's hypotheses fail for the cell); else "holds" when the interval's upper end is >= the
/// bound. Below it, "violated" only when `censored_converged` (the interval with every
/// trajectory that ran out of the step budget counted as converged; `ci` when not given) also
/// ends below the bound, and "censored" otherwise: those trajectories decide it, and running
/// out of budget is not a failure of the theorem.
std::string verdict(const Interval& ci, const TheoryBound& bound,
                    const std::string& outside_reason = "",
                    const std::optional<Interval>& censored_converged = std::nullopt);

/// The verdict_reason of a "censored" cell.
inline constexpr const char* kCensoredReason =
    "trajectories that ran out of the step budget decide it (counted as converged the bound "
    "holds, as failures it does not); raise steps";

/// Mean steps to converge over the converged trajectories of a tally; NaN if none converged.
double mean_steps_to_converge(const CellTally& t);

/// Why a cell stopped adding trajectories (summary.csv's `stopped_by`): its fixed count of
/// trials, or with trials = "auto" the target it met, or max_trials.
inline constexpr const char* kStoppedByTrials = "trials";
inline constexpr const char* kStoppedByHalfwidth = "halfwidth";
inline constexpr const char* kStoppedByVerdict = "verdict";
inline constexpr const char* kStoppedByMaxTrials = "max_trials";

/// The stopping rule of a cell with trials = "auto", on the tally of its first trajectories
/// (whole steps of trials_step in plan order, so the rule sees the same numbers whatever ran
/// them): until = halfwidth is met when the 95% Wilson interval of the convergence rate has
/// half-width <= ci_halfwidth; until = verdict when every part of verdict() is settled: the
/// interval lies clear of the bound (lo > bound or hi < bound), below it the interval with the
/// censored trajectories counted as converged is clear of it too, and the model's vote on its
/// theorem's hypotheses (ModelInfo::outside_settled) is settled. Never met by an empty tally.
bool stop_rule_met(const CellConfig& cell, const CellTally& prefix);

/// Per-cell statistics.
struct CellSummary {
  std::int64_t trials = 0;
  std::array<std::int64_t, kOutcomeCount> counts{};
  double rate = 0.0;
  Interval ci{0.0, 0.0};
  TheoryBound bound{"none", 0.0};
  std::string verdict;
  std::string verdict_reason;  ///< why the verdict is `outside` or `censored`; else empty
  std::string stopped_by = kStoppedByTrials;  ///< see kStoppedBy*
  CellTally tally;                            ///< what the statistics were computed from
  const ModelInfo* model = nullptr;           ///< whose columns `values` holds
  std::vector<double> values;                 ///< the model's columns, in its order
  /// The model's column `name`; throws std::out_of_range when the model has none of that name.
  double value(const std::string& name) const;
};

/// Accumulates batch tallies (exact sums: any order gives the same bits), then summarises.
class CellAggregator {
 public:
  explicit CellAggregator(const CellConfig& cell) : cell_(&cell) {}
  void add(const CellTally& t) { tally_ += t; }
  CellSummary summary() const;

 private:
  const CellConfig* cell_;
  CellTally tally_;
};

}  // namespace relusim
