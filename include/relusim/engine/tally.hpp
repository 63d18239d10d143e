// Per-cell counts of trajectory records (single-source): the CPU backend and the driver add them
// up on the host; the CUDA backend reduces them on the device (kernels/tally_reduce.cuh).
#pragma once

#include <cstdint>

#include "relusim/core/hd.hpp"
#include "relusim/models/a/types.hpp"

namespace relusim {

/// Sums over the trajectories of one cell: everything CellAggregator needs for a CellSummary.
struct CellTally {
  std::int64_t trials = 0;
  std::int64_t counts[kOutcomeCount] = {};
  std::int64_t in_omega = 0;
  std::int64_t design_checked = 0;
  std::int64_t positive_definite = 0;
  std::int64_t within_bound = 0;
  std::int64_t target_valid = 0;
  std::int64_t steps_to_converge_sum = 0;  ///< over converged trajectories
  double distance_sum = 0.0;
};

RELUSIM_HD inline CellTally tally_of(const TrajectoryRecord& r) {
  CellTally t;
  t.trials = 1;
  t.counts[static_cast<int>(r.result.outcome)] = 1;
  t.in_omega = r.result.started_in_omega ? 1 : 0;
  t.design_checked = r.design_checked ? 1 : 0;
  t.positive_definite = r.design_checked && r.positive_definite ? 1 : 0;
  t.within_bound = r.design_checked && r.lambda_within_bound ? 1 : 0;
  t.target_valid = r.target_valid ? 1 : 0;
  t.steps_to_converge_sum = r.result.outcome == Outcome::converged ? r.result.steps_to_converge : 0;
  t.distance_sum = r.result.distance;
  return t;
}

RELUSIM_HD inline CellTally operator+(const CellTally& a, const CellTally& b) {
  CellTally t;
  t.trials = a.trials + b.trials;
  for (int o = 0; o < kOutcomeCount; ++o)
    t.counts[o] = a.counts[o] + b.counts[o];
  t.in_omega = a.in_omega + b.in_omega;
  t.design_checked = a.design_checked + b.design_checked;
  t.positive_definite = a.positive_definite + b.positive_definite;
  t.within_bound = a.within_bound + b.within_bound;
  t.target_valid = a.target_valid + b.target_valid;
  t.steps_to_converge_sum = a.steps_to_converge_sum + b.steps_to_converge_sum;
  t.distance_sum = a.distance_sum + b.distance_sum;
  return t;
}

/// Function objects for Thrust.
struct TallyOfRecord {
  RELUSIM_HD CellTally operator()(const TrajectoryRecord& r) const { return tally_of(r); }
};
struct TallyPlus {
  RELUSIM_HD CellTally operator()(const CellTally& a, const CellTally& b) const { return a + b; }
};

}  // namespace relusim
