// Runs one trajectory of any model on a CPU team of a given size: the serial team for 1, a
// ThreadedTeam (the block-parallel algorithm on std::threads) otherwise.
#pragma once

#include <mutex>
#include <vector>

#include "relusim/core/team_threaded.hpp"
#include "relusim/engine/cpu_trajectory.hpp"

namespace relusim::testing {

/// Runs trajectory `id`; w receives the final weights (rank 0's).
template <class M, class T>
TrajectoryRecord run_on_team(const typename M::Params& p, std::uint32_t id, int size,
                             std::vector<double>& w) {
  std::vector<T> scratch(static_cast<std::size_t>(M::workspace_size(p, size)));
  w.assign(static_cast<std::size_t>(M::weight_count(p)), 0.0);
  if (size == 1) {
    SerialTeam team;
    return run_cpu_trajectory<M, T>(team, p, id, scratch.data(), static_cast<NoObserver*>(nullptr),
                                    w.data());
  }
  TrajectoryRecord out;
  std::mutex m;
  run_threaded_team(size, [&](ThreadedTeam& team) {
    double* fw = team.rank() == 0 ? w.data() : nullptr;
    const TrajectoryRecord r = run_cpu_trajectory<M, T>(team, p, id, scratch.data(),
                                                        static_cast<NoObserver*>(nullptr), fw);
    if (team.rank() == 0) {
      std::lock_guard lock(m);
      out = r;
    }
  });
  return out;
}

}  // namespace relusim::testing
