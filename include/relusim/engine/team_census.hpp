// What the block algorithm of a team model costs in synchronisation, counted on the CPU: one
// trajectory of a cell runs on a ThreadedTeam as wide as the CUDA block the launch rule gives
// its shape, and the team counts its barriers and reductions. The difference between two step
// budgets, divided by the difference in steps, is the steady per-step figure (setup and the
// last evaluation cancel). `relusim bench` prints it per workload; docs/gpu.md's performance
// model starts from it.
#pragma once

#include <cstdint>
#include <thread>
#include <type_traits>
#include <vector>

#include "relusim/core/team_threaded.hpp"
#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/engine/launch_rule.hpp"
#include "relusim/engine/model.hpp"

namespace relusim {

/// Barriers and reductions per trajectory-step of the block algorithm on a team of `team_size`.
struct TeamCensus {
  int team_size = 0;
  double barriers_per_step = 0.0;    ///< sync() and the barriers inside reductions
  double reductions_per_step = 0.0;  ///< team reduction calls (a fused tuple counts once)
  bool steady = false;               ///< both runs took every step (else the figures are NaN)
};

namespace detail {

/// Runs trajectory 0 of `p` for exactly `steps` steps on a ThreadedTeam of `size` threads and
/// returns the team's counts and the steps it took.
template <class M, class T>
void census_run(typename M::Params p, int size, std::int64_t steps, std::int64_t counts[3]) {
  p.max_steps = steps;
  p.early_stop = false;
  std::vector<T> scratch(static_cast<std::size_t>(M::workspace_size(p, size)));
  ThreadedTeam::Shared shared(size);
  std::vector<std::thread> threads;
  std::int64_t taken = -1;
  for (int r = 0; r < size; ++r) {
    threads.emplace_back([&, r] {
      ThreadedTeam team(shared, r);
      const TrajectoryRecord rec = run_team_trajectory<M, T>(team, p, 0, scratch.data());
      if (r == 0) taken = rec.steps;
    });
  }
  for (std::thread& t : threads)
    t.join();
  counts[0] = shared.barriers.load();
  counts[1] = shared.reductions.load();
  counts[2] = taken;
}

}  // namespace detail

/// The census of `p` on a team of `size` threads (when 0, the CUDA block the launch rule gives
/// `trajectories` of the shape).
template <class M, class T>
TeamCensus team_census(const typename M::Params& p, int size = 0,
                       std::int64_t trajectories = 4096) {
  TeamCensus c;
  c.team_size = size > 0 ? size : block_size_for<M>(p, trajectories, std::is_same_v<T, double>);
  constexpr std::int64_t kShort = 3, kLong = 7;
  std::int64_t a[3], b[3];
  detail::census_run<M, T>(p, c.team_size, kShort, a);
  detail::census_run<M, T>(p, c.team_size, kLong, b);
  c.steady = a[2] == kShort && b[2] == kLong;
  const double steps = static_cast<double>(kLong - kShort);
  const double nan = hd::quiet_nan();
  c.barriers_per_step = c.steady ? static_cast<double>(b[0] - a[0]) / steps : nan;
  c.reductions_per_step = c.steady ? static_cast<double>(b[1] - a[1]) / steps : nan;
  return c;
}

}  // namespace relusim
