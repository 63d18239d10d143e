// Model A (MODEL.md §1): one ReLU teacher, one ReLU student, gradient dynamics of one trajectory.
// Single-source host+device code over a Team (team.hpp): no exceptions, no heap, no virtuals.
//
// The pieces the model type ModelA (model.hpp) puts behind the seam:
//   model_a_setup(team, p, id, ws)      teacher w*, initial w, design X and teacher outputs u
//   (the backend fills ws.target: w* when lambda = 0, else w_hat, see targets.hpp)
//   model_a_evaluate(...)               one evaluation of Delta(w), its norms and |Delta|^2
// The trajectory loop itself is engine/trajectory.hpp's, shared by every model.
#pragma once

#include <cstdint>

#include "relusim/core/hd.hpp"
#include "relusim/models/a/types.hpp"
#include "relusim/core/random.hpp"
#include "relusim/core/team.hpp"

namespace relusim {

// ---------------------------------------------------------------------------------------------
// Setup: teacher, initial weights, data
// ---------------------------------------------------------------------------------------------

/// The teacher w* of trajectory `id` (written by one worker).
template <class T>
RELUSIM_HD inline void model_a_teacher(const ModelAParams& p, std::uint32_t id, T* w_star) {
  switch (p.teacher) {
    case TeacherKind::ones:
      for (int j = 0; j < p.d; ++j)
        w_star[j] = T(1);
      break;
    case TeacherKind::explicit_vector:
      for (int j = 0; j < p.d; ++j)
        w_star[j] = static_cast<T>(p.teacher_vector[j]);
      break;
    case TeacherKind::random:
      fill_random_row(p.seed, id, StreamPurpose::teacher, 0, InputDistribution::gaussian, p.d,
                      w_star);
      normalize_to(w_star, p.d, p.teacher_norm);
      break;
    default:  // the other kinds are model B's (rejected by validation)
      break;
  }
}

/// The initial student weights of trajectory `id` (written by one worker).
template <class T>
RELUSIM_HD inline void model_a_init(const ModelAParams& p, std::uint32_t id, T* w) {
  switch (p.init) {
    case InitKind::ball:
    case InitKind::ball_tight: {
      // Uniform in the ball: uniform direction, radius r * U^(1/d).
      fill_random_row(p.seed, id, StreamPurpose::init, 0, InputDistribution::gaussian, p.d, w);
      const double u = uniform_pair(PhiloxAddress{p.seed, id, StreamPurpose::init, 1, 0}).x;
      normalize_to(w, p.d, p.init_radius * hd::pow(u, 1.0 / p.d));
      break;
    }
    case InitKind::gaussian:
      fill_random_row(p.seed, id, StreamPurpose::init, 0, InputDistribution::gaussian, p.d, w);
      for (int j = 0; j < p.d; ++j)
        w[j] = static_cast<T>(p.init_sigma * static_cast<double>(w[j]));
      break;
    case InitKind::zero:
      for (int j = 0; j < p.d; ++j)
        w[j] = T(0);
      break;
    case InitKind::explicit_vector:
      for (int j = 0; j < p.d; ++j)
        w[j] = static_cast<T>(p.init_vector[j]);
      break;
    default:  // the other kinds are model B's (rejected by validation)
      break;
  }
}

/// Draws `rows` samples of stream `purpose` starting at `first_row` into x, and u = relu(x w*).
template <class T, class Team>
RELUSIM_HD inline void model_a_draw_rows(Team& team, const ModelAParams& p, std::uint32_t id,
                                         StreamPurpose purpose, std::uint64_t first_row, int rows,
                                         T* x, T* u, const T* w_star) {
  for (int i = team.rank(); i < rows; i += team.size()) {
    T* xi = x + static_cast<std::int64_t>(i) * p.d;
    fill_random_row(p.seed, id, purpose, first_row + static_cast<std::uint64_t>(i), p.inputs, p.d,
                    xi);
    T z = T(0);
    for (int j = 0; j < p.d; ++j)
      z += xi[j] * w_star[j];
    u[i] = hd::relu(z);
  }
}

/// Teacher, initial weights and (fixed mode) the design of trajectory `id`.
template <class T, class Team>
RELUSIM_HD inline void model_a_setup(Team& team, const ModelAParams& p, std::uint32_t id,
                                     const ModelAWorkspace<T>& ws) {
  if (team.rank() == 0) {
    model_a_teacher(p, id, ws.w_star);
    model_a_init(p, id, ws.w);
    for (int j = 0; j < p.d; ++j)
      ws.target[j] = ws.w_star[j];
  }
  team.sync();
  if (p.mode == DataMode::fixed) {
    model_a_draw_rows(team, p, id, StreamPurpose::design, 0, p.n_samples, ws.x, ws.u, ws.w_star);
  }
  team.sync();
}

// ---------------------------------------------------------------------------------------------
// One evaluation of Delta(w)
// ---------------------------------------------------------------------------------------------

template <class T>
struct DataTerm {
  T loss;      ///< 1/(2 rows) * sum (u_i - relu(z_i))^2
  int active;  ///< samples with z_i > 0
};

/// a . b with four independent partial sums (a fixed order: deterministic), so the additions
/// overlap instead of forming one dependency chain; the serial team's hot loop.
template <class T>
RELUSIM_HD inline T dot4(const T* a, const T* b, int n) {
  T s0 = T(0), s1 = T(0), s2 = T(0), s3 = T(0);
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 += a[j] * b[j];
    s1 += a[j + 1] * b[j + 1];
    s2 += a[j + 2] * b[j + 2];
    s3 += a[j + 3] * b[j + 3];
  }
  for (; j < n; ++j)
    s0 += a[j] * b[j];
  return (s0 + s1) + (s2 + s3);
}

/// The serial team's data term in one pass over the rows. kUnrolled picks dot4 for the row
/// products: faster from d = 8 on, slower below (bench/, measured), so the caller decides once.
template <bool kUnrolled, class T>
RELUSIM_HD inline DataTerm<T> serial_data_gradient(const T* x, const T* u, int rows, int d,
                                                   const T* w, T* g) {
  for (int j = 0; j < d; ++j)
    g[j] = T(0);
  T loss = T(0);
  int active = 0;
  for (int i = 0; i < rows; ++i) {
    const T* xi = x + static_cast<std::int64_t>(i) * d;
    T z = T(0);
    if constexpr (kUnrolled) {
      z = dot4(xi, w, d);
    } else {
      for (int j = 0; j < d; ++j)
        z += xi[j] * w[j];
    }
    if (z > T(0)) {
      const T ri = u[i] - z;
      loss += ri * ri;
      ++active;
      for (int j = 0; j < d; ++j)
        g[j] += ri * xi[j];
    } else {
      loss += u[i] * u[i];
    }
  }
  const T inv_rows = T(1) / static_cast<T>(rows);
  for (int j = 0; j < d; ++j)
    g[j] *= inv_rows;
  return {loss * T(0.5) * inv_rows, active};
}

/// g = (1/rows) X^T D(w) (u - relu(Xw)) over the team; returns the data loss and active count.
template <class T, class Team>
RELUSIM_HD inline DataTerm<T> data_gradient(Team& team, const T* x, const T* u, T* r, int rows,
                                            int d, const T* w, T* g, T* partial) {
  const T inv_rows = T(1) / static_cast<T>(rows);
  if constexpr (Team::is_serial) {
    (void)team;
    (void)r;
    (void)partial;
    return d >= 8 ? serial_data_gradient<true>(x, u, rows, d, w, g)
                  : serial_data_gradient<false>(x, u, rows, d, w, g);
  } else {
    // Phase 1: the team splits the samples; residuals of active samples go to r.
    T loss = T(0);
    int active = 0;
    for (int i = team.rank(); i < rows; i += team.size()) {
      const T* xi = x + static_cast<std::int64_t>(i) * d;
      T z = T(0);
      for (int j = 0; j < d; ++j)
        z += xi[j] * w[j];
      const T res = u[i] - hd::relu(z);
      loss += res * res;
      active += z > T(0) ? 1 : 0;
      r[i] = z > T(0) ? res : T(0);
    }
    loss = team.reduce_sum(loss);
    active = team.reduce_sum(active);
    team.sync();
    // Phase 2: g_j = sum_i r_i x_ij. `lanes` workers share one coordinate when d < team size.
    const int lanes = hd::max(1, team.size() / d);
    const int groups = team.size() / lanes;
    const int lane = team.rank() % lanes;
    const int group = team.rank() / lanes;
    if (group < groups) {
      for (int j = group; j < d; j += groups) {
        T acc = T(0);
        for (int i = lane; i < rows; i += lanes)
          acc += r[i] * x[static_cast<std::int64_t>(i) * d + j];
        if (lanes == 1) {
          g[j] = acc * inv_rows;
        } else {
          partial[j * lanes + lane] = acc;
        }
      }
    }
    team.sync();
    if (lanes > 1) {
      for (int j = team.rank(); j < d; j += team.size()) {
        T acc = T(0);
        for (int l = 0; l < lanes; ++l)
          acc += partial[j * lanes + l];
        g[j] = acc * inv_rows;
      }
      team.sync();
    }
    return {loss * T(0.5) * inv_rows, active};
  }
}

/// Norms of the current state, reduced over the team.
template <class T>
struct StateNorms {
  T ww;  ///< ||w||^2
  T ss;  ///< ||w*||^2 (constant along a trajectory: computed once)
  T ws;  ///< w . w*
  T l1;  ///< ||w||_1 (only when asked for: l1sq needs it)
  T dd;  ///< ||w - target||^2 (0 without a target)
};

/// One pass over the coordinates: ww, ws, dd and (if need_l1) l1, with ss given.
template <class T, class Team>
RELUSIM_HD inline StateNorms<T> state_norms(Team& team, const T* w, const T* w_star,
                                            const T* target, int d, T ss, bool need_l1) {
  T ww = T(0), ws = T(0), l1 = T(0), dd = T(0);
  for (int j = team.rank(); j < d; j += team.size()) {
    ww += w[j] * w[j];
    ws += w[j] * w_star[j];
    if (need_l1) l1 += hd::fabs(w[j]);
    if (target != nullptr) {
      const T a = w[j] - target[j];
      dd += a * a;
    }
  }
  StateNorms<T> n;
  n.ww = team.reduce_sum(ww);
  n.ss = ss;
  n.ws = team.reduce_sum(ws);
  n.l1 = need_l1 ? team.reduce_sum(l1) : T(0);
  n.dd = target != nullptr ? team.reduce_sum(dd) : T(0);
  return n;
}

/// All norms of w against w*, without a target (theory and targets use this).
template <class T, class Team>
RELUSIM_HD inline StateNorms<T> state_norms(Team& team, const T* w, const T* w_star, int d) {
  return state_norms(team, w, w_star, static_cast<const T*>(nullptr), d,
                     team_dot(team, w_star, w_star, d), true);
}

/// E[Delta_data] of MODEL.md §1.1 (Tian (10)-(11)) and the population data loss, from the norms.
/// Writes coordinates strided over the team. Undefined at w = 0: the caller checks ww > 0.
template <class T, class Team>
RELUSIM_HD inline T expected_gradient(Team& team, const StateNorms<T>& n, const T* w,
                                      const T* w_star, int d, T* g) {
  const T nw = hd::sqrt(n.ww), ns = hd::sqrt(n.ss);
  const T theta = hd::angle_from_cos(n.ws / (nw * ns));
  const T alpha = ns / nw;
  const T inv_2pi = T(1.0 / (2.0 * hd::kPi));
  const T a = inv_2pi * alpha * hd::sin(theta);
  const T b = inv_2pi * theta;
  for (int j = team.rank(); j < d; j += team.size()) {
    g[j] = T(0.5) * (w_star[j] - w[j]) + a * w[j] - b * w_star[j];
  }
  // E[relu(a) relu(b)] = |w||w*| (sin t + (pi - t) cos t) / (2 pi); E[relu(a)^2] = |w*|^2 / 2.
  const T cross = inv_2pi * nw * ns * (hd::sin(theta) + (T(hd::kPi) - theta) * hd::cos(theta));
  return T(0.5) * (T(0.5) * n.ss + T(0.5) * n.ww - T(2) * cross);
}

/// dR/dw_j of MODEL.md §1 (sign(0) = 0).
template <class T>
RELUSIM_HD inline T regularizer_gradient(Regularizer reg, T wj, T l1) {
  switch (reg) {
    case Regularizer::l2:
      return T(2) * wj;
    case Regularizer::l1sq:
      return T(2) * l1 * hd::sign(wj);
    case Regularizer::l1:
      return hd::sign(wj);
    case Regularizer::none:
      break;
  }
  return T(0);
}

/// The factor of dR/dw in Delta: -(lambda/2) for descent, +(lambda/2) as printed by Kong (5).
RELUSIM_HD inline double regularizer_factor(const ModelAParams& p) {
  if (p.regularizer == Regularizer::none) return 0.0;
  return (p.convention == Convention::descent ? -0.5 : 0.5) * p.lambda;
}

/// Everything one evaluation at the current w tells.
template <class T>
struct Evaluation {
  StateNorms<T> norms;
  T loss;
  int active;  ///< active samples (fixed/online); 1 or 0 for expected (w != 0)
  T gg;        ///< |Delta(w)|^2
};

/// Computes ws.delta = Delta(ws.w) for step `step` (online mode draws its minibatch here).
/// `ss` is ||w*||^2; the norms include the squared distance to ws.target.
template <class T, class Team>
RELUSIM_HD inline Evaluation<T> model_a_evaluate(Team& team, const ModelAParams& p,
                                                 std::uint32_t id, std::int64_t step,
                                                 const ModelAWorkspace<T>& ws, T ss) {
  Evaluation<T> e;
  e.norms = state_norms(team, ws.w, ws.w_star, static_cast<const T*>(ws.target), p.d, ss,
                        p.regularizer == Regularizer::l1sq);
  if (p.mode == DataMode::expected) {
    if (e.norms.ww > T(0)) {
      e.loss = expected_gradient(team, e.norms, ws.w, ws.w_star, p.d, ws.delta);
      e.active = 1;
    } else {  // the singularity at w = 0
      for (int j = team.rank(); j < p.d; j += team.size())
        ws.delta[j] = T(0);
      e.loss = T(0.25) * e.norms.ss;
      e.active = 0;
    }
  } else {
    int rows = p.n_samples;
    if (p.mode == DataMode::online) {
      rows = p.batch;
      model_a_draw_rows(team, p, id, StreamPurpose::minibatch,
                        static_cast<std::uint64_t>(step) * static_cast<std::uint64_t>(p.batch),
                        rows, ws.x, ws.u, ws.w_star);
      team.sync();
    }
    const DataTerm<T> dt =
        data_gradient(team, ws.x, ws.u, ws.r, rows, p.d, ws.w, ws.delta, ws.partial);
    e.loss = dt.loss;
    e.active = dt.active;
  }
  const T factor = static_cast<T>(regularizer_factor(p));
  if (factor != T(0)) {
    for (int j = team.rank(); j < p.d; j += team.size()) {
      ws.delta[j] += factor * regularizer_gradient(p.regularizer, ws.w[j], e.norms.l1);
    }
  }
  team.sync();
  T g2 = T(0);
  for (int j = team.rank(); j < p.d; j += team.size())
    g2 += ws.delta[j] * ws.delta[j];
  e.gg = team.reduce_sum(g2);
  return e;
}

}  // namespace relusim
