// Model A's fixed-mode trajectories across the host's vector lanes: one trajectory per lane of a
// 64-byte vector (8 in double, 16 in float). Each lane does what the one-trajectory step
// (fused_data_gradient and state_norms in dynamics.hpp) does, operation for operation and sum
// for sum in the same order, with its fused multiply-adds written out (simd::fma; the host is
// compiled with -ffp-contract=off); the two forms are tested to agree to the last ulp or so
// (tests/test_model_a_lanes.cpp).
// Lanes never mix: a trajectory's numbers do not depend on which trajectories share its vector,
// and every host path runs these cells in this form (the CPU backend, run_cpu_trajectory for the
// trace command and replays), so they agree bit for bit with each other. When a lane's
// trajectory ends, the next one is loaded into it (setup, target and start run one trajectory at
// a time, as before); the group ends when no trajectory is left.
//
// Why: at Kong's sizes (N = 10 to 100, d <= 5) a trajectory has too few rows and coordinates to
// fill a vector, and half of its step went to scalar bookkeeping (norms, classification, update).
// Across trajectories every instruction works on 8 or 16 of them. A vector screen of the
// classification's bounds leaves classify (the model's own, per lane) to the few lanes near one.
//
// Host only (g++; RELUSIM_HOST_SIMD): the CUDA block keeps the team algorithm, which the CPU's
// tests run on threaded teams.
#pragma once

#include "relusim/core/host_simd.hpp"

#if RELUSIM_HOST_SIMD

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "relusim/core/team.hpp"
#include "relusim/engine/record.hpp"
#include "relusim/engine/trajectory.hpp"
#include "relusim/models/a/dynamics.hpp"
#include "relusim/models/a/model.hpp"
#include "relusim/engine/model.hpp"

namespace relusim {

/// Rows up to which the lane form runs (its designs, kWidth trajectories' worth, stay in L2).
inline constexpr int kLaneRows = 256;

/// b rounded up to T (b >= 0): the least T whose double is at least b, so that for every T x,
/// NaN included, x < round_up<T>(b) is static_cast<double>(x) < b.
template <class T>
T round_up(double b) {
  if (!(b <= static_cast<double>(std::numeric_limits<T>::max())))
    return std::numeric_limits<T>::infinity();
  T f = static_cast<T>(b);
  if (static_cast<double>(f) < b) f = std::nextafter(f, std::numeric_limits<T>::infinity());
  return f;
}

/// b rounded down to T (b >= 0): the greatest T whose double is at most b, so that for every T x,
/// NaN included, x <= round_down<T>(b) is static_cast<double>(x) <= b.
template <class T>
T round_down(double b) {
  if (!(b < static_cast<double>(std::numeric_limits<T>::max())))
    return std::numeric_limits<T>::max();
  T f = static_cast<T>(b);
  if (static_cast<double>(f) > b) f = std::nextafter(f, T(0));
  return f;
}

/// The lane form of regularizer_gradient (the same operations, lane by lane).
template <class V, class T>
inline V regularizer_gradient_lanes(Regularizer reg, V w, V l1) {
  const V one = simd::splat(T(1));
  switch (reg) {
    case Regularizer::l2:
      return T(2) * w;
    case Regularizer::l1sq:
      return T(2) * l1 * simd::sign(w, one);
    case Regularizer::l1:
      return simd::sign(w, one);
    case Regularizer::none:
      break;
  }
  return V{};
}

/// Runs Model A fixed-mode trajectories kWidth<T> at a time (see the file's comment). Host is
/// ModelHost<ModelA> (its preparation computes each trajectory's target).
template <class T, class Host = ModelHost<ModelA>>
class ModelALanes {
 public:
  using V = simd::Vec<T>;
  static constexpr int kTrajectories = simd::kWidth<T>;  ///< lanes: trajectories at once
  static constexpr int kRowLanes = simd::kWidth<T>;      ///< row lanes of fused_data_gradient

  /// The cells the lane form runs: fixed mode, d <= kFusedColumns, N <= kLaneRows.
  static bool eligible(const ModelAParams& p) {
    return p.mode == DataMode::fixed && p.d >= 1 && p.d <= kFusedColumns && p.n_samples >= 1 &&
           p.n_samples <= kLaneRows;
  }

  /// `screen` false looks at every lane after every step (the tests' reference for the screen).
  explicit ModelALanes(const ModelAParams& p, bool screen = true)
      : p_(p),
        screen_(screen),
        d_(p.d),
        n_(p.n_samples),
        x_(static_cast<std::size_t>(p.n_samples) * static_cast<std::size_t>(p.d)),
        u_(static_cast<std::size_t>(p.n_samples)),
        w_(static_cast<std::size_t>(p.d)),
        star_(static_cast<std::size_t>(p.d)),
        target_(static_cast<std::size_t>(p.d)),
        delta_(static_cast<std::size_t>(p.d)),
        part_(static_cast<std::size_t>(p.d) * kRowLanes),
        scratch_(static_cast<std::size_t>(ModelA::workspace_size(p, 1))) {}

  /// Runs every trajectory `next()` hands out (a std::optional<std::uint32_t> id; empty when
  /// none is left) and calls emit(record, final_w) for each as it ends, with final_w its last
  /// weights (d doubles). The observer, if any, sees every lane's every step.
  template <class Next, class Emit, class Observer = NoObserver>
  void run(Next&& next, Emit&& emit, Observer* observer = nullptr) {
    run_for(std::make_integer_sequence<int, kFusedColumns>{}, next, emit, observer);
  }

 private:
  using Start = ModelA::Start<T>;

  struct Lane {
    bool live = false;
    std::int64_t t0 = 0;  ///< the group step at which the trajectory's step 0 ran
    TrajectoryRecord rec;
    Start start{};
    TargetChecks aux;
  };

  /// One evaluation of every lane.
  struct EvalLanes {
    V ww, ws, l1, dd, loss, active, gg;
  };

  template <class Next, class Emit, class Observer, int... D>
  void run_for(std::integer_sequence<int, D...>, Next& next, Emit& emit, Observer* observer) {
    (void)((d_ == D + 1 ? (run_d<D + 1>(next, emit, observer), true) : false) || ...);
  }

  /// Loads the next trajectory into lane l (setup, target, start, one trajectory at a time, as
  /// run_cpu_trajectory does) or marks the lane empty.
  template <class Next>
  void load(int l, Next& next, std::int64_t group_step) {
    Lane& lane = lanes_[l];
    const std::optional<std::uint32_t> id = next();
    lane.live = id.has_value();
    if (!lane.live) {  // an empty lane computes harmless zeros and is never looked at
      for (int j = 0; j < d_; ++j)
        w_[j][l] = star_[j][l] = target_[j][l] = T(0);
      return;
    }
    const ModelAWorkspace<T> ws = ModelA::carve<T>(p_, 1, scratch_.data());
    SerialTeam team;
    ModelA::setup(team, p_, *id, ws);
    lane.aux = Host::prepare(p_, ws);
    lane.rec = TrajectoryRecord{};
    lane.rec.id = *id;
    lane.start = ModelA::begin(team, p_, ws, lane.rec);
    lane.t0 = group_step;
    const int ld = model_a_ld(p_);
    for (int i = 0; i < n_; ++i) {
      for (int j = 0; j < d_; ++j)
        x_[static_cast<std::size_t>(i) * d_ + j][l] = ws.x[static_cast<std::int64_t>(j) * ld + i];
      u_[i][l] = ws.u[i];
    }
    for (int j = 0; j < d_; ++j) {
      w_[j][l] = ws.w[j];
      star_[j][l] = ws.w_star[j];
      target_[j][l] = ws.target[j];
    }
    ss_[l] = lane.start.ss;
    // classify's bounds in T (screen()): (double)x < b is x < round_up<T>(b), and (double)x > b is
    // x > round_down<T>(b), so the screen runs classify's own tests on the lanes' numbers.
    const double ss = static_cast<double>(lane.start.ss);
    const double tsq = static_cast<double>(lane.start.target_sq);
    blowup_[l] = round_down<T>(p_.blowup * p_.blowup * ss);
    small_[l] = round_up<T>(p_.stuck_tol * p_.stuck_tol * ss);
    met_[l] =
        round_up<T>(p_.criterion == Criterion::distance ? p_.tol * p_.tol * tsq : p_.tol * ss);
  }

  /// Row i's preactivation z and residual u - relu(z) in every lane (one code for the step and
  /// the loss, so both compute the same numbers).
  template <int D>
  RELUSIM_INLINE static void row_residual(const V* xi, const V* w, V ui, V& z, V& res) {
    z = V{};
    for (int j = 0; j < D; ++j)
      z = simd::fma(xi[j], w[j], z);
    res = ui - simd::where_positive(z, z);
  }

  /// The data loss of every lane at its current w (the evaluation without kLoss leaves it out:
  /// only the lanes classify looks at need it).
  template <int D>
  V loss_lanes() const {
    V w[D];
    for (int j = 0; j < D; ++j)
      w[j] = w_[j];
    V loss_part[kRowLanes];
    for (int l = 0; l < kRowLanes; ++l) {
      V loss = {};
      for (int i = l; i < n_; i += kRowLanes) {
        V z, res;
        row_residual<D>(x_.data() + static_cast<std::size_t>(i) * D, w, u_[i], z, res);
        loss = simd::fma(res, res, loss);
      }
      loss_part[l] = loss;
    }
    return pairwise_sum<kRowLanes>(loss_part) * T(0.5) * (T(1) / static_cast<T>(n_));
  }

  /// The evaluation of every lane at its current w: the norms of state_norms and the data term,
  /// Delta and |Delta|^2 of fused_data_gradient, in their order (the loss only with kLoss).
  template <int D, bool kLoss>
  RELUSIM_INLINE EvalLanes evaluate() {
    EvalLanes e{};
    V w[D];
    for (int j = 0; j < D; ++j)
      w[j] = w_[j];
    const bool need_l1 = p_.regularizer == Regularizer::l1sq;
    for (int j = 0; j < D; ++j) {
      e.ww = simd::fma(w[j], w[j], e.ww);
      e.ws = simd::fma(w[j], star_[j], e.ws);
      if (need_l1) e.l1 += simd::abs(w[j]);
      const V a = w[j] - target_[j];
      e.dd = simd::fma(a, a, e.dd);
    }
    // The data term: row lane l takes rows l, l + R, l + 2R, ... as fused_data_gradient's lane
    // l does (the padding rows it adds are exact zeros).
    const V one = simd::splat(T(1));
    V loss_part[kRowLanes], active_part[kRowLanes];
    const V* x = x_.data();
    for (int l = 0; l < kRowLanes; ++l) {
      V acc[D] = {};
      V loss = {}, active = {};
      for (int i = l; i < n_; i += kRowLanes) {
        const V* xi = x + static_cast<std::size_t>(i) * D;
        V z, res;
        row_residual<D>(xi, w, u_[i], z, res);
        if constexpr (kLoss) loss = simd::fma(res, res, loss);
        active += simd::where_positive(z, one);
        const V r = simd::where_positive(z, res);
        for (int j = 0; j < D; ++j)
          acc[j] = simd::fma(xi[j], r, acc[j]);
      }
      for (int j = 0; j < D; ++j)
        part_[j * kRowLanes + l] = acc[j];
      loss_part[l] = loss;
      active_part[l] = active;
    }
    const T inv_rows = T(1) / static_cast<T>(n_);
    const T factor = static_cast<T>(regularizer_factor(p_));
    V g2 = {};
    for (int j = 0; j < D; ++j) {
      const V g = pairwise_sum<kRowLanes>(part_.data() + j * kRowLanes) * inv_rows;
      const V dj =
          factor != T(0)
              ? simd::fma(factor, regularizer_gradient_lanes<V, T>(p_.regularizer, w[j], e.l1), g)
              : g;
      delta_[j] = dj;
      g2 = simd::fma(dj, dj, g2);
    }
    e.gg = g2;
    if constexpr (kLoss) e.loss = pairwise_sum<kRowLanes>(loss_part) * T(0.5) * inv_rows;
    e.active = pairwise_sum<kRowLanes>(active_part);
    return e;
  }

  /// Lanes whose evaluation classify must look at (a bit per lane): any that diverged, died or
  /// came to rest, and any whose place in the criterion changed since its last look (a lane
  /// inside it must be looked at again when it leaves: steps_to_converge goes back to -1). The
  /// tests are classify's own, in T (round_up, round_down), so a lane that stays inside the
  /// criterion without early stop is not looked at again.
  RELUSIM_INLINE std::uint32_t screen(const EvalLanes& e) const {
    if (!screen_) return (1u << kTrajectories) - 1u;
    const T big = std::numeric_limits<T>::max();
    // ~ of a comparison's mask (0 or all ones) is its negation: true for NaN too.
    auto flagged =
        ~(e.ww <= blowup_) | ~(e.ww <= big) | ~(e.dd <= big) | ~(e.gg <= big) | ~(e.loss <= big);
    if (p_.early_stop) flagged |= (e.active < T(0.5)) | (e.gg < small_);  // else they end nothing
    // The criterion's test is classify's own (round_up): flag the lanes whose place changed.
    switch (p_.criterion) {
      case Criterion::distance:
        return simd::bits(flagged) | (simd::bits(e.dd < met_) ^ converging_);
      case Criterion::loss:
        return simd::bits(flagged) | (simd::bits(e.loss < met_) ^ converging_);
      case Criterion::angle:  // classify's cosine test, without a vector screen
        break;
    }
    return (1u << kTrajectories) - 1u;
  }

  /// The one-trajectory evaluation of lane l.
  Evaluation<T> lane_eval(const EvalLanes& e, int l) const {
    Evaluation<T> s;
    s.norms.ww = e.ww[l];
    s.norms.ss = ss_[l];
    s.norms.ws = e.ws[l];
    s.norms.l1 = e.l1[l];
    s.norms.dd = e.dd[l];
    s.loss = e.loss[l];
    s.active = static_cast<int>(e.active[l]);
    s.gg = e.gg[l];
    return s;
  }

  template <int D, class Next, class Emit, class Observer>
  void run_d(Next& next, Emit& emit, Observer* observer) {
    std::int64_t step = 0;  // steps of the group
    std::uint32_t live = 0;
    converging_ = 0;
    next_deadline_ = 0;
    for (int l = 0; l < kTrajectories; ++l) {
      load(l, next, step);
      if (lanes_[l].live) live |= 1u << l;
    }
    ModelAWorkspace<T> unused{};  // describe does not read Model A's workspace
    double final_w[kFusedColumns];
    T w_lane[kFusedColumns];
    // The loss enters only the loss criterion, the observer and classify's finiteness test:
    // unless one of the first two needs it every step, it is computed for the steps that
    // classify looks at, which saves one multiply-add of the twelve per row. (A loss past T's
    // range needs residuals near sqrt of it, so |w|^2 far past blowup^2 |w*|^2, which the
    // screen flags.)
    const bool loss_every_step =
        p_.criterion == Criterion::loss || (Observer::enabled && observer != nullptr);
    while (live != 0u) {
      EvalLanes e = loss_every_step ? evaluate<D, true>() : evaluate<D, false>();
      if constexpr (Observer::enabled) {
        if (observer != nullptr) {
          for (int l = 0; l < kTrajectories; ++l) {
            if (((live >> l) & 1u) == 0u) continue;
            Lane& lane = lanes_[l];
            lane.rec.steps = step - lane.t0;
            ModelA::describe(p_, unused, lane.start, lane_eval(e, l), lane.rec);
            for (int j = 0; j < D; ++j)
              w_lane[j] = w_[j][l];
            observer->on_step(lane.rec.steps, static_cast<const TrajectoryRecord&>(lane.rec),
                              static_cast<const T*>(w_lane), D);
          }
        }
      }
      // Lanes to look at: flagged by the screen, or out of steps.
      std::uint32_t look = screen(e) & live;
      if (step >= next_deadline_) {
        for (int l = 0; l < kTrajectories; ++l)
          if (((live >> l) & 1u) != 0u && step - lanes_[l].t0 >= p_.max_steps) look |= 1u << l;
      }
      if (!loss_every_step && look != 0u) e.loss = loss_lanes<D>();
      std::uint32_t ended = 0;
      for (std::uint32_t m = look; m != 0u; m &= m - 1u) {
        const int l = __builtin_ctz(m);
        Lane& lane = lanes_[l];
        const std::int64_t t = step - lane.t0;
        const Evaluation<T> el = lane_eval(e, l);
        const StepStatus s = ModelA::classify(p_, lane.start, el);
        lane.rec.steps = t;
        const bool ends = step_ends(p_, s, t, lane.rec);
        converging_ =
            lane.rec.steps_to_converge >= 0 ? converging_ | (1u << l) : converging_ & ~(1u << l);
        if (!ends) continue;
        ModelA::describe(p_, unused, lane.start, el, lane.rec);
        lane.rec.outcome = outcome_of(s);
        ModelA::record_aux(lane.aux, lane.rec);
        for (int j = 0; j < D; ++j)
          final_w[j] = static_cast<double>(w_[j][l]);
        emit(static_cast<const TrajectoryRecord&>(lane.rec), static_cast<const double*>(final_w));
        ended |= 1u << l;
      }
      const T eta = static_cast<T>(p_.eta);
      for (int j = 0; j < D; ++j)
        w_[j] = simd::fma(eta, delta_[j], w_[j]);
      ++step;
      if (ended != 0u) {
        converging_ &= ~ended;
        for (std::uint32_t m = ended; m != 0u; m &= m - 1u) {
          const int l = __builtin_ctz(m);
          load(l, next, step);
          if (!lanes_[l].live) live &= ~(1u << l);
        }
      }
      if (ended != 0u || step > next_deadline_) {
        next_deadline_ = std::numeric_limits<std::int64_t>::max();
        for (int l = 0; l < kTrajectories; ++l)
          if (((live >> l) & 1u) != 0u)
            next_deadline_ = std::min(next_deadline_, lanes_[l].t0 + p_.max_steps);
      }
    }
  }

  ModelAParams p_;
  bool screen_;
  int d_, n_;
  std::vector<V> x_;  ///< x_[i * d + j]: x_ij of every lane
  std::vector<V> u_;  ///< u_[i]
  std::vector<V> w_, star_, target_, delta_;
  std::vector<V> part_;     ///< part_[j * kRowLanes + l]: row lane l's partial sum of g_j
  std::vector<T> scratch_;  ///< one trajectory's workspace, for its setup
  Lane lanes_[kTrajectories];
  V ss_{}, blowup_{}, small_{};
  V met_{};                         ///< classify's criterion bound, rounded up to T
  std::uint32_t converging_ = 0;    ///< lanes with steps_to_converge >= 0
  std::int64_t next_deadline_ = 0;  ///< the first group step at which a lane is out of steps
};

}  // namespace relusim

#endif
