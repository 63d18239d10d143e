// Per-cell sums of trajectory records, for every model: every backend adds a batch's records in
// id order on the host (the CUDA backend after copying them back, engine/waves.hpp), and the
// driver adds batch tallies in plan order, so the sums have the same bits for any split of the
// work. What the flags and slots mean is the model's business
// (its registration turns a tally into report columns).
#pragma once

#include <cstdint>

#include "relusim/core/hd.hpp"
#include "relusim/engine/record.hpp"

namespace relusim {

struct CellTally {
  std::int64_t trials = 0;
  std::int64_t counts[kOutcomeCount] = {};
  std::int64_t flag_counts[kRecordFlags] = {};  ///< trajectories with each flag set
  std::int64_t steps_to_converge_sum = 0;       ///< over converged trajectories
  double slot_sums[kRecordSlots] = {};          ///< sums of each slot over all trajectories
};

RELUSIM_HD inline CellTally tally_of(const TrajectoryRecord& r) {
  CellTally t;
  t.trials = 1;
  t.counts[static_cast<int>(r.outcome)] = 1;
  for (int f = 0; f < kRecordFlags; ++f)
    t.flag_counts[f] = r.flag(f) ? 1 : 0;
  t.steps_to_converge_sum = r.outcome == Outcome::converged ? r.steps_to_converge : 0;
  for (int s = 0; s < kRecordSlots; ++s)
    t.slot_sums[s] = r.slot[s];
  return t;
}

RELUSIM_HD inline CellTally operator+(const CellTally& a, const CellTally& b) {
  CellTally t;
  t.trials = a.trials + b.trials;
  for (int o = 0; o < kOutcomeCount; ++o)
    t.counts[o] = a.counts[o] + b.counts[o];
  for (int f = 0; f < kRecordFlags; ++f)
    t.flag_counts[f] = a.flag_counts[f] + b.flag_counts[f];
  t.steps_to_converge_sum = a.steps_to_converge_sum + b.steps_to_converge_sum;
  for (int s = 0; s < kRecordSlots; ++s)
    t.slot_sums[s] = a.slot_sums[s] + b.slot_sums[s];
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
