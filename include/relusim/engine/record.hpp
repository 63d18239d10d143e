// What one trajectory leaves behind, for every model (DESIGN.md "Models behind one seam"): an
// outcome, step counts, a few flags and a few numeric slots whose meaning the model names
// (models/*/model.hpp; their names for the reports come from the model's registration). Records
// and tallies are model-free, so waves, the device reduction, the driver and the reports are not
// templates over the model. Single-source.
#pragma once

#include <cstdint>
#include <string>

#include "relusim/core/hd.hpp"

namespace relusim {

/// How a trajectory ended (MODEL.md §5). `stuck` is at rest away from the target: Model B calls
/// it `saddle`.
enum class Outcome : int { converged = 0, diverged = 1, dead = 2, stuck = 3, undecided = 4 };
inline constexpr int kOutcomeCount = 5;

// Sized to what the models use (A: 5 slots, 6 flags; B: 10 slots, 4 flags; C: 7 slots, 2 flags):
// a record is copied back for every trajectory, 112 bytes.
inline constexpr int kRecordSlots = 10;  ///< numeric slots a model may fill
inline constexpr int kRecordFlags = 6;   ///< yes/no facts a model may record

struct TrajectoryRecord {
  std::uint32_t id = 0;
  Outcome outcome = Outcome::undecided;
  std::uint32_t flags = 0;
  std::int64_t steps = 0;               ///< updates applied
  std::int64_t steps_to_converge = -1;  ///< first step of the last entry into the criterion
  double slot[kRecordSlots] = {};

  RELUSIM_HD bool flag(int f) const { return ((flags >> f) & 1u) != 0u; }
  RELUSIM_HD void set_flag(int f, bool on) {
    flags = on ? (flags | (1u << f)) : (flags & ~(1u << f));
  }
};

/// What a model's classification says about the state after one evaluation.
struct StepStatus {
  bool diverged = false;       ///< not finite or blown up: the trajectory ends now
  bool met = false;            ///< the convergence criterion holds
  bool dead = false;           ///< no unit is active
  bool dead_for_good = false;  ///< dead, and nothing can revive it
  bool small_step = false;     ///< the update is negligible (at rest)
};

/// Observer of a trajectory (the trace command): called by rank 0 after each evaluation with the
/// record's slots describing the current state and the current weights.
struct NoObserver {
  static constexpr bool enabled = false;
  template <class T>
  RELUSIM_HD void on_step(std::int64_t, const TrajectoryRecord&, const T*, int) {}
};

/// The outcome's generic name (converged, diverged, dead, stuck, undecided).
inline std::string to_string(Outcome o) {
  switch (o) {
    case Outcome::converged:
      return "converged";
    case Outcome::diverged:
      return "diverged";
    case Outcome::dead:
      return "dead";
    case Outcome::stuck:
      return "stuck";
    case Outcome::undecided:
      return "undecided";
  }
  return "?";
}

}  // namespace relusim
