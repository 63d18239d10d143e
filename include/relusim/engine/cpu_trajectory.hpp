// One Model A trajectory on a CPU team: single-source setup, host target, single-source run.
// Used by the CPU backend (SerialTeam), the trace command (with an observer) and the tests
// (ThreadedTeam).
#pragma once

#include <type_traits>
#include <vector>

#include "relusim/engine/backend.hpp"
#include "relusim/models/a/dynamics.hpp"
#include "relusim/models/a/targets.hpp"

namespace relusim {

/// The target of the trajectory whose setup filled `ws` (host, double precision).
template <class T>
TargetInfo model_a_target(const ModelAParams& p, const ModelAWorkspace<T>& ws) {
  std::vector<double> w_star(ws.w_star, ws.w_star + p.d);
  if (p.mode == DataMode::fixed) {
    if constexpr (std::is_same_v<T, double>) {
      return fixed_mode_target(p, ws.x, w_star.data());  // the design is already in double
    } else {
      const std::size_t size =
          static_cast<std::size_t>(p.n_samples) * static_cast<std::size_t>(p.d);
      std::vector<double> x(ws.x, ws.x + size);
      return fixed_mode_target(p, x.data(), w_star.data());
    }
  }
  return expected_mode_target(p, w_star.data());
}

/// Targets of trajectories [first_id, first_id + count) computed on the host with `threads`
/// threads: setup in the run's precision, then model_a_target (the CUDA backend's host path).
std::vector<TargetInfo> model_a_batch_targets(const ModelAParams& p, Precision precision,
                                              std::uint32_t first_id, std::uint32_t count,
                                              int threads);

/// Runs trajectory `id`; `scratch` holds model_a_workspace_size(p, team.size()) T's shared by
/// the team. Every rank returns the record; ws.w (start of the workspace's w) holds the final w.
template <class T, class Team, class Observer = NoObserver>
TrajectoryRecord run_model_a_trajectory(Team& team, const ModelAParams& p, std::uint32_t id,
                                        T* scratch, Observer* observer = nullptr,
                                        double* final_w = nullptr) {
  const ModelAWorkspace<T> ws = model_a_workspace<T>(p, team.size(), scratch);
  model_a_setup(team, p, id, ws);
  TargetInfo info;
  if (team.rank() == 0) {
    info = model_a_target(p, ws);
    for (int j = 0; j < p.d; ++j)
      ws.target[j] = static_cast<T>(info.target[static_cast<std::size_t>(j)]);
  }
  team.sync();
  TrajectoryRecord rec;
  rec.id = id;
  rec.result = model_a_run(team, p, id, ws, observer);
  if (team.rank() == 0) {
    static_cast<TargetChecks&>(rec) = info;
    if (final_w != nullptr)
      for (int j = 0; j < p.d; ++j)
        final_w[j] = static_cast<double>(ws.w[j]);
  }
  return rec;
}

}  // namespace relusim
