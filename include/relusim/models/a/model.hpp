// Model A behind the seam (engine/model.hpp): one ReLU teacher, one ReLU student (MODEL.md §1).
// Single-source: the CPU and the CUDA backend run exactly these members.
#pragma once

#include <cstdint>

#include "relusim/core/hd.hpp"
#include "relusim/core/team.hpp"
#include "relusim/engine/launch_rule.hpp"
#include "relusim/engine/perf_model.hpp"
#include "relusim/engine/record.hpp"
#include "relusim/models/a/dynamics.hpp"
#include "relusim/models/a/types.hpp"

namespace relusim {

struct ModelA {
  static constexpr const char* kName = "A";
  /// Threads per SM the CUDA kernel's register budget allows (kernels/engine/runner.cuh).
  static constexpr int kResidentThreads = 768;

  using Params = ModelAParams;
  template <class T>
  using Workspace = ModelAWorkspace<T>;
  template <class T>
  using Eval = Evaluation<T>;
  /// What the preparation between setup and dynamics (the targets) tells about a trajectory.
  using Aux = TargetChecks;

  /// Constants of one trajectory.
  template <class T>
  struct Start {
    T ss;         ///< |w*|^2
    T target_sq;  ///< |target|^2
  };

  /// Record slots and flags (their report names are in the model's registration).
  enum Slot : int { kDistance = 0, kAngle = 1, kLoss = 2, kGradNorm = 3, kLambdaBound = 4 };
  enum Flag : int {
    kStartedInOmega = 0,
    kDesignChecked = 1,
    kPositiveDefinite = 2,  ///< checked and positive definite
    kWithinBound = 3,       ///< checked and lambda within Kong's bound
    kSolved = 4,
    kTargetValid = 5,
  };

  RELUSIM_HD static std::int64_t workspace_size(const Params& p, int team_size) {
    return model_a_workspace_size(p, team_size);
  }
  template <class T>
  RELUSIM_HD static Workspace<T> carve(const Params& p, int team_size, T* scratch) {
    return model_a_workspace<T>(p, team_size, scratch);
  }
  /// Work a team splits: rows of data, or the coordinates in expected mode.
  RELUSIM_HD static int parallel_work(const Params& p) {
    const int rows = model_a_rows(p);
    return rows > 0 ? (rows + 1) / 2 : p.d;
  }
  /// What a step costs on a block of `block` threads (engine/perf_model.hpp; host code): both
  /// phases' multiply-adds split over the rows (the coordinates in expected mode), and the
  /// barriers and reductions of model_a_evaluate_team: three barriers when lanes share a
  /// coordinate (block / d >= 2), else two; two reductions of six and one values.
  static StepCost step_cost(const Params& p, int block, bool fp64) {
    StepCost c;
    const int rows = model_a_rows(p);
    const bool data = p.mode != DataMode::expected;
    c.split_fmas = data ? 2.0 * rows * p.d : 8.0 * p.d;
    c.split_width = data ? rows : p.d;
    c.serial_ops = data ? 20.0 : 80.0;  // the classification; the angle in expected mode
    c.barriers = data && block / p.d >= 2 ? 3 : 2;
    c.reductions = 2;
    c.values_per_reduction = 3.5;
    c.fp64 = fp64;
    c.registers = register_cap(kResidentThreads, block);
    const int word = fp64 ? 8 : 4;
    place_workspace(c, workspace_size(p, block) * word, 2.0 * rows * p.d * word);  // X twice
    return c;
  }
  RELUSIM_HD static int weight_count(const Params& p) { return p.d; }
  template <class T>
  RELUSIM_HD static const T* weights(const Workspace<T>& ws) {
    return ws.w;
  }
  /// Doubles the preparation hands to each trajectory: its target.
  RELUSIM_HD static int prepared_doubles(const Params& p) { return p.d; }

  template <class T, class Team>
  RELUSIM_HD static void setup(Team& team, const Params& p, std::uint32_t id,
                               const Workspace<T>& ws) {
    model_a_setup(team, p, id, ws);
  }

  template <class T, class Team>
  RELUSIM_HD static void load_prepared(Team& team, const Params& p, const Workspace<T>& ws,
                                       const double* prepared) {
    for (int j = team.rank(); j < p.d; j += team.size())
      ws.target[j] = static_cast<T>(prepared[j]);
    team.sync();
  }

  template <class T, class Team>
  RELUSIM_HD static Start<T> begin(Team& team, const Params& p, const Workspace<T>& ws,
                                   TrajectoryRecord& rec) {
    Start<T> s;
    s.ss = team_dot(team, ws.w_star, ws.w_star, p.d);
    s.target_sq = team_dot(team, ws.target, ws.target, p.d);
    T omega_sq = T(0);
    for (int j = team.rank(); j < p.d; j += team.size()) {
      const T a = ws.w[j] - ws.w_star[j];
      omega_sq = hd::fma(a, a, omega_sq);
    }
    rec.set_flag(kStartedInOmega, team.reduce_sum(omega_sq) < s.ss);
    return s;
  }

  template <class T, class Team>
  RELUSIM_HD static Eval<T> evaluate(Team& team, const Params& p, std::uint32_t id, std::int64_t t,
                                     const Workspace<T>& ws, const Start<T>& s) {
    return model_a_evaluate(team, p, id, t, ws, s.ss);
  }

  /// MODEL.md §5 on squares and cosines (no sqrt or acos per step).
  template <class T>
  RELUSIM_HD static StepStatus classify(const Params& p, const Start<T>& s, const Eval<T>& e) {
    StepStatus st;
    const double ssd = static_cast<double>(s.ss);
    const double ww = static_cast<double>(e.norms.ww);
    // Whatever blowup says, a non-finite state, distance, loss or gradient has diverged (MODEL.md
    // §5): it would otherwise reach the statistics.
    const bool finite = hd::isfinite(e.norms.ww) && hd::isfinite(e.norms.dd) &&
                        hd::isfinite(e.norms.ws) && hd::isfinite(e.gg) && hd::isfinite(e.loss);
    st.diverged = !finite || ww > p.blowup * p.blowup * ssd;
    switch (p.criterion) {
      case Criterion::distance:
        st.met = static_cast<double>(e.norms.dd) < p.tol * p.tol * static_cast<double>(s.target_sq);
        break;
      case Criterion::angle:
        st.met = ww > 0.0 && static_cast<double>(e.norms.ws) > hd::cos(p.tol) * hd::sqrt(ww * ssd);
        break;
      case Criterion::loss:
        st.met = static_cast<double>(e.loss) < p.tol * ssd;
        break;
    }
    // Dead: no active sample of the fixed design (or w = 0); without a regulariser nothing can
    // revive the unit. A minibatch without an active sample says nothing: online, only w = 0 is.
    st.dead = p.mode == DataMode::online ? ww == 0.0 : e.active == 0;
    st.dead_for_good = st.dead && (p.regularizer == Regularizer::none || ww == 0.0);
    // At rest (|Delta| < stuck_tol |w*|) counts only away from the target: closer than
    // sqrt(stuck_tol) (relative) a resting trajectory is in the target's own basin, slowly
    // converging, and keeps running (docs/model.md, "At rest near the target").
    st.small_step =
        p.mode != DataMode::online && static_cast<double>(e.gg) < p.stuck_tol * p.stuck_tol * ssd &&
        static_cast<double>(e.norms.dd) >= p.stuck_tol * static_cast<double>(s.target_sq);
    return st;
  }

  /// Slots: distance to the target (relative), angle to w*, data loss, |Delta|.
  template <class T>
  RELUSIM_HD static void describe(const Params&, const Workspace<T>&, const Start<T>& s,
                                  const Eval<T>& e, TrajectoryRecord& rec) {
    const double ww = static_cast<double>(e.norms.ww), ss = static_cast<double>(e.norms.ss);
    rec.slot[kDistance] =
        hd::sqrt(static_cast<double>(e.norms.dd) / static_cast<double>(s.target_sq));
    rec.slot[kAngle] = ww > 0.0
                           ? hd::angle_from_cos(static_cast<double>(e.norms.ws) / hd::sqrt(ww * ss))
                           : hd::kPi / 2;
    rec.slot[kLoss] = static_cast<double>(e.loss);
    rec.slot[kGradNorm] = hd::sqrt(static_cast<double>(e.gg));
  }

  /// w <- w + eta Delta: in place on the serial team; a team's evaluation has written the next
  /// weights already (model_a_evaluate_team), and this rank's view swaps the two buffers.
  template <class T, class Team>
  RELUSIM_HD static void apply(Team& team, const Params& p, Workspace<T>& ws, const Eval<T>&) {
    if constexpr (Team::is_serial) {
      (void)team;
      for (int j = 0; j < p.d; ++j)
        ws.w[j] = hd::fma(static_cast<T>(p.eta), ws.delta[j], ws.w[j]);
    } else {
      T* w = ws.w;
      ws.w = ws.w_next;
      ws.w_next = w;
    }
  }

  RELUSIM_HD static void record_aux(const Aux& a, TrajectoryRecord& rec) {
    rec.set_flag(kDesignChecked, a.design_checked);
    rec.set_flag(kPositiveDefinite, a.design_checked && a.positive_definite);
    rec.set_flag(kWithinBound, a.design_checked && a.lambda_within_bound);
    rec.set_flag(kSolved, a.solved);
    rec.set_flag(kTargetValid, a.target_valid);
    rec.slot[kLambdaBound] = a.lambda_bound;
  }
};

}  // namespace relusim
