// One trajectory of any model on a CPU team: single-source setup, the model's host preparation,
// single-source dynamics. Used by the CPU backend (SerialTeam), the trace command (with an
// observer) and the tests (ThreadedTeam).
#pragma once

#include <cstdint>
#include <optional>

#include "relusim/engine/record.hpp"
#include "relusim/engine/trajectory.hpp"
#include "relusim/engine/model.hpp"

namespace relusim {

/// Runs trajectory `id` of model M on the team, one trajectory alone (run_cpu_trajectory's
/// path for every team and cell but a serial team on a lane model's cells).
template <class M, class T, class Team, class Observer = NoObserver>
TrajectoryRecord run_team_trajectory(Team& team, const typename M::Params& p, std::uint32_t id,
                                     T* scratch, Observer* observer = nullptr,
                                     double* final_w = nullptr) {
  typename M::template Workspace<T> ws = M::template carve<T>(p, team.size(), scratch);
  M::setup(team, p, id, ws);
  typename M::Aux aux{};
  if (team.rank() == 0) aux = ModelHost<M>::prepare(p, ws);
  team.sync();
  TrajectoryRecord rec;
  rec.id = id;
  run_dynamics<M, T>(team, p, id, ws, rec, observer);
  if (team.rank() == 0) {
    M::record_aux(aux, rec);
    if (final_w != nullptr) {
      const T* w = M::weights(ws);
      for (int j = 0; j < M::weight_count(p); ++j)
        final_w[j] = static_cast<double>(w[j]);
    }
  }
  return rec;
}

/// Runs trajectory `id` of model M; `scratch` holds M::workspace_size(p, team.size()) T's shared
/// by the team. Every rank returns the record (rank 0's carries the preparation's facts too);
/// `final_w`, when given, receives the final weights (M::weight_count(p) doubles). On a serial
/// team, a lane model's cells run in its lane form (as the CPU backend runs them), so a
/// trajectory traced alone has the numbers it has in a run.
template <class M, class T, class Team, class Observer = NoObserver>
TrajectoryRecord run_cpu_trajectory(Team& team, const typename M::Params& p, std::uint32_t id,
                                    T* scratch, Observer* observer = nullptr,
                                    double* final_w = nullptr) {
  if constexpr (Team::is_serial && LaneModel<M>) {
    if (ModelHost<M>::lanes_eligible(p)) {
      TrajectoryRecord out;
      bool given = false;
      ModelHost<M>::template run_lanes<T>(
          p,
          [&]() -> std::optional<std::uint32_t> {
            if (given) return std::nullopt;
            given = true;
            return id;
          },
          [&](const TrajectoryRecord& r, const double* w) {
            out = r;
            if (final_w != nullptr)
              for (int j = 0; j < M::weight_count(p); ++j)
                final_w[j] = w[j];
          },
          observer);
      return out;
    }
  }
  return run_team_trajectory<M, T>(team, p, id, scratch, observer, final_w);
}

}  // namespace relusim
