// Aggregation of trajectory records into per-cell statistics next to the theory (MODEL.md §5).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "relusim/engine/backend.hpp"
#include "relusim/io/config.hpp"
#include "relusim/engine/tally.hpp"

namespace relusim {

struct Interval {
  double lo;
  double hi;
};

/// 95% (z = 1.96) Wilson score interval for k successes in n trials.
Interval wilson_interval(std::int64_t k, std::int64_t n, double z = 1.959963984540054);

/// The theorem a cell is compared with and its lower bound on the convergence rate.
struct TheoryBound {
  std::string name;  ///< "tian-3.3", "kong-5" or "none"
  double value;      ///< NaN when no theorem applies (e.g. a non-ball initialisation)
};
TheoryBound theory_bound_for(const CellConfig& cell);

/// "holds" when the interval's upper end is >= the bound, "violated" below, "n/a" without one.
std::string verdict(const Interval& ci, const TheoryBound& bound);

/// Per-cell statistics.
struct CellSummary {
  std::int64_t trials = 0;
  std::array<std::int64_t, kOutcomeCount> counts{};
  double rate = 0.0;
  Interval ci{0.0, 0.0};
  TheoryBound bound{"none", 0.0};
  std::string verdict;
  double frac_in_omega = 0.0;
  double mean_steps_to_converge = 0.0;  ///< over converged trajectories; NaN if none
  double frac_positive_definite = 0.0;  ///< fixed mode; NaN otherwise
  double frac_within_bound = 0.0;       ///< fixed mode with a regulariser; NaN otherwise
  double frac_target_valid = 0.0;
  double mean_final_distance = 0.0;
};

/// Accumulates batch tallies in plan order (so sums are reproducible), then summarises.
class CellAggregator {
 public:
  explicit CellAggregator(const CellConfig& cell) : cell_(&cell) {}
  void add(const CellTally& t) { tally_ = tally_ + t; }
  CellSummary summary() const;

 private:
  const CellConfig* cell_;
  CellTally tally_;
};

}  // namespace relusim
