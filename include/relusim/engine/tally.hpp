// Per-cell sums of trajectory records, for every model: every backend adds a batch's records on
// the host (the CUDA backend after copying them back, engine/waves.hpp), and the driver adds
// batch tallies. Counts are integers and slot sums are exact (engine/exact_sum.hpp), so a tally
// has the same bits for any split of the work: batch size, threads, shards, MPI ranks. What the
// flags and slots mean is the model's business (its registration turns a tally into report
// columns). Host code.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "relusim/engine/exact_sum.hpp"
#include "relusim/engine/record.hpp"

namespace relusim {

struct CellTally {
  std::int64_t trials = 0;
  std::int64_t counts[kOutcomeCount] = {};
  std::int64_t flag_counts[kRecordFlags] = {};  ///< trajectories with each flag set
  std::int64_t steps_to_converge_sum = 0;       ///< over converged trajectories
  /// Exact sums of each slot over the trajectories that did not diverge and whose value is
  /// finite (MODEL.md §5: a non-finite number never enters a statistic), and how many those are.
  ExactSum slot_sums[kRecordSlots] = {};
  std::int64_t slot_counts[kRecordSlots] = {};
};

/// The mean of slot `s` over the values the tally holds (the trajectories that did not diverge,
/// with a finite value): the exact sum rounded once, divided once; NaN when there are none.
inline double slot_mean(const CellTally& t, int s) {
  return t.slot_counts[s] > 0 ? t.slot_sums[s].value() / static_cast<double>(t.slot_counts[s])
                              : std::numeric_limits<double>::quiet_NaN();
}

/// Adds one trajectory's record to a tally.
inline void add_record(CellTally& t, const TrajectoryRecord& r) {
  t.trials += 1;
  t.counts[static_cast<int>(r.outcome)] += 1;
  for (int f = 0; f < kRecordFlags; ++f)
    t.flag_counts[f] += r.flag(f) ? 1 : 0;
  if (r.outcome == Outcome::converged) t.steps_to_converge_sum += r.steps_to_converge;
  if (r.outcome == Outcome::diverged) return;  // its state is no number to average
  for (int s = 0; s < kRecordSlots; ++s) {
    if (!std::isfinite(r.slot[s])) continue;
    t.slot_sums[s].add(r.slot[s]);
    t.slot_counts[s] += 1;
  }
}

inline CellTally tally_of(const TrajectoryRecord& r) {
  CellTally t;
  add_record(t, r);
  return t;
}

/// Adds b's counts (trials, outcomes, flags) to a, not its sums: what a stopping rule reads
/// (engine/stats.hpp stop_rule_met), without the exact sums' cost.
inline void add_counts(CellTally& a, const CellTally& b) {
  a.trials += b.trials;
  for (int o = 0; o < kOutcomeCount; ++o)
    a.counts[o] += b.counts[o];
  for (int f = 0; f < kRecordFlags; ++f)
    a.flag_counts[f] += b.flag_counts[f];
}

inline CellTally& operator+=(CellTally& a, const CellTally& b) {
  add_counts(a, b);
  a.steps_to_converge_sum += b.steps_to_converge_sum;
  for (int s = 0; s < kRecordSlots; ++s) {
    a.slot_sums[s] += b.slot_sums[s];
    a.slot_counts[s] += b.slot_counts[s];
  }
  return a;
}

inline CellTally operator+(CellTally a, const CellTally& b) {
  a += b;
  return a;
}

}  // namespace relusim
