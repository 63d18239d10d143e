// The trajectory loop, written once for every model and every Team (DESIGN.md "Models behind one
// seam"): evaluate, classify, observe, stop or apply. The step budget, early stopping and the
// steps-to-converge rule live here and nowhere else. Single-source.
//
// A model M (engine/model.hpp: the contract, as concepts) supplies, besides its setup:
//   M::begin(team, p, ws, rec)          -> Start   constants of the trajectory (may set flags)
//   M::evaluate(team, p, id, t, ws, s)  -> Eval    one gradient evaluation at step t (team work)
//   M::classify(p, s, e)                -> StepStatus                        (pure)
//   M::describe(p, ws, s, e, rec)       fills the record's slots for the state (pure)
//   M::apply(team, p, ws, e)            the update
// and its Params carry `max_steps` and `early_stop`.
#pragma once

#include <cstdint>

#include "relusim/core/hd.hpp"
#include "relusim/engine/record.hpp"

namespace relusim {

/// The loop's rule after step t was classified as `s`: keeps the steps to converge (counted
/// from the last entry into the criterion) and says whether the trajectory ends at t (diverged,
/// stopped early, or out of steps). Every loop over a model's dynamics applies it.
template <class Params>
RELUSIM_HD inline bool step_ends(const Params& p, const StepStatus& s, std::int64_t t,
                                 TrajectoryRecord& rec) {
  if (s.diverged) return true;
  if (!s.met) {
    rec.steps_to_converge = -1;
  } else if (rec.steps_to_converge < 0) {
    rec.steps_to_converge = t;
  }
  return (p.early_stop && (s.met || s.dead_for_good || s.small_step)) || t >= p.max_steps;
}

/// The outcome of a trajectory whose last step was classified as `s` (MODEL.md §5).
RELUSIM_HD inline Outcome outcome_of(const StepStatus& s) {
  if (s.diverged) return Outcome::diverged;
  if (s.met) return Outcome::converged;
  if (s.dead) return Outcome::dead;
  if (s.small_step) return Outcome::stuck;  // at rest, but not at the target
  return Outcome::undecided;
}

/// Runs the dynamics of model M from the state its setup (and preparation) left in `ws`, and
/// classifies the end (MODEL.md §5). Every rank ends with the same record. `ws` is this rank's
/// view of the workspace: apply may swap its buffers (Model A's team step), so the final
/// weights are M::weights(ws) afterwards.
template <class M, class T, class Team, class Observer = NoObserver>
RELUSIM_HD inline void run_dynamics(Team& team, const typename M::Params& p, std::uint32_t id,
                                    typename M::template Workspace<T>& ws, TrajectoryRecord& rec,
                                    Observer* observer = nullptr) {
  const typename M::template Start<T> start = M::begin(team, p, ws, rec);
  StepStatus s;
  for (std::int64_t t = 0;; ++t) {
    const typename M::template Eval<T> e = M::evaluate(team, p, id, t, ws, start);
    rec.steps = t;
    if constexpr (Observer::enabled) {
      if (team.rank() == 0 && observer != nullptr) {
        M::describe(p, ws, start, e, rec);
        observer->on_step(t, static_cast<const TrajectoryRecord&>(rec), M::weights(ws),
                          M::weight_count(p));
      }
    }
    s = M::classify(p, start, e);
    if (step_ends(p, s, t, rec)) {
      M::describe(p, ws, start, e, rec);
      break;
    }
    M::apply(team, p, ws, e);
  }
  rec.outcome = outcome_of(s);
}

}  // namespace relusim
