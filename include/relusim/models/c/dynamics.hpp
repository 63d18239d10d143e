// Model C's per-trajectory arithmetic (MODEL.md §3): the element-wise steps of a wave of
// trajectories, as single-source functors that the batched-ops seam runs over every trajectory,
// sample or column (models/c/wave.hpp strings them together with the GEMMs).
//
// Layout: every d x d matrix is column-major with the units as columns (W(r, c) = w[c * d + r]);
// a batch of inputs is d x B with the samples as columns. Trajectory k's matrices lie at
// k * d * d, its batches at k * d * B.
//
// Effective weights: the student's units are u_j = [e_j] + w_j (identity or not), the teacher's
// u*_j = e_j + w*_j. The expected gradient (MODEL.md §3, with PReLU: sigma = a z + (1 - a) relu)
//   -grad_j L = sum_i alpha_ij u*_i + sum_i beta_ij u_i + gamma_j u_j / |u_j|,
//   alpha_ij = 2a + (1 - a)^2 (pi - theta*_ij) / pi,   beta_ij = -2a - (1 - a)^2 (pi - theta_ij) /
//   pi, gamma_j  = (1 - a)^2 / pi sum_i (|u*_i| sin theta*_ij - |u_i| sin theta_ij),
// with theta_ij = angle(u_i, u_j), theta*_ij = angle(u*_i, u_j); for u_j = 0 (sigma' = a
// everywhere) alpha = -beta = a (1 + a) and gamma = 0. The loss is
//   L = sum_ij k(u_i, u_j) - 2 k(u*_i, u_j) + k(u*_i, u*_j),
//   k(u, v) = a u.v + (1 - a)^2 |u||v| (sin t + (pi - t) cos t) / (2 pi),  t = angle(u, v).
// Both come from Gram matrices (two GEMMs) and go back through two more GEMMs.
// Over 500 lines: every element-wise pass of Model C's wave step, in the order wave.hpp runs them.
#pragma once

#include <cstdint>

#include "relusim/core/hd.hpp"
#include "relusim/core/random.hpp"
#include "relusim/engine/record.hpp"
#include "relusim/models/c/types.hpp"

namespace relusim {

/// Philox stream of the power iteration's start vector.
inline constexpr auto kPowerStream = static_cast<StreamPurpose>(5);
/// Power iterations for |W - W*|_2.
inline constexpr int kPowerIterations = 100;

/// Per-trajectory state of a wave.
struct ModelCState {
  int active = 1;  ///< still stepping
  int phase_ended = 0;
  int started_dead = 0;
  Outcome outcome = Outcome::undecided;
  std::int64_t steps = 0;
  std::int64_t steps_to_converge = -1;
  std::int64_t phase_end = -1;
  double threshold = 0.0;     ///< converged when |W - W*|_F < threshold
  double loss_teacher = 0.0;  ///< sum_ij k(u*_i, u*_j), constant
  double dist_f = 0.0, norm_f = 0.0;
  int bad = 0, live_units = 0;  ///< non-finite entries; units with u_j != 0
  int met = 0;                  ///< the convergence criterion held at the last check
  int matched = 0;              ///< vanilla: every unit has its own nearest teacher unit
  double matched_dist = 0.0;    ///< vanilla: |U - U*_P|_F, P the nearest-unit matching
  double loss = 0.0, potential = 0.0, inner = 0.0, ratio = 0.0, dist_2 = 0.0;
};

/// Partial sums of one unit (column) of one trajectory.
struct ModelCColumn {
  double dist2 = 0.0;  ///< |u_j - u*_j|^2
  double norm2 = 0.0;  ///< |w_j|^2
  double loss = 0.0;   ///< sum_i k(u_i, u_j) - 2 k(u*_i, u_j)
  double potential = 0.0;
  double inner = 0.0;
  double match_dist2 = 0.0;  ///< min_i |u_j - u*_i|^2
  int match = 0;             ///< its argmin i
  int bad = 0;
  int live = 0;
};

/// One wave: n trajectories of one shape, all pointers in one memory space.
template <class T>
struct ModelCWave {
  int n = 0, d = 0, rows = 0, n_train = 0;  ///< rows: batch columns (B)
  const ModelCParams* params = nullptr;     ///< indexed by param_of
  const std::uint32_t* param_of = nullptr;  ///< n
  const std::uint32_t* ids = nullptr;       ///< n trajectory ids
  T* w = nullptr;                           ///< n d^2 student W
  T* ws = nullptr;                          ///< n d^2 teacher W*
  T* x = nullptr;                           ///< n d rows: the step's inputs
  T* z = nullptr;                           ///< n d rows: student pre-activations, then M
  T* zs = nullptr;                          ///< n d rows: teacher pre-activations
  T* x_train = nullptr;                     ///< n d N (fixed mode)
  int* perm = nullptr;                      ///< n N (fixed mode): the epoch's order
  T* grad = nullptr;                        ///< n d^2: the minibatch gradient, or -grad L
  T* e = nullptr;                           ///< n d^2: effective student ([I] + W)
  T* es = nullptr;                          ///< n d^2: effective teacher (I + W*)
  T* gram = nullptr;                        ///< n d^2: u_i.u_j, then beta
  T* cross = nullptr;                       ///< n d^2: u*_i.u_j, then alpha
  double* norm_u = nullptr;                 ///< n d: |u_j|
  double* norm_s = nullptr;                 ///< n d: |u*_j|
  double* gamma = nullptr;                  ///< n d
  T* vec = nullptr;                         ///< n d: power iteration
  T* vec2 = nullptr;                        ///< n d
  ModelCColumn* col = nullptr;              ///< n d
  ModelCState* state = nullptr;             ///< n

  RELUSIM_HD const ModelCParams& p(int k) const { return params[param_of[k]]; }
  RELUSIM_HD std::int64_t dd() const { return static_cast<std::int64_t>(d) * d; }
};

namespace model_c {

// Branch-free forms (they vectorise): z > 0 gives z + a 0 = z, z <= 0 gives 0 + a z = a z.
template <class T>
RELUSIM_HD inline T act(T z, T a) {
  const bool on = z > T(0);
  return hd::fma(a, on ? T(0) : z, on ? z : T(0));
}
template <class T>
RELUSIM_HD inline T act_slope(T z, T a) {
  return z > T(0) ? T(1) : a;
}

/// sum_i sigma(z_i) in four interleaved partial sums (the compiler vectorises it; the order is
/// fixed, so every backend adds alike).
template <class T>
RELUSIM_HD inline T sum_act(const T* z, int d, T a) {
  T s[4] = {T(0), T(0), T(0), T(0)};
  int i = 0;
  for (; i + 4 <= d; i += 4)
    for (int l = 0; l < 4; ++l)
      s[l] += act(z[i + l], a);
  for (; i < d; ++i)
    s[i & 3] += act(z[i], a);
  return (s[0] + s[1]) + (s[2] + s[3]);
}

/// k(u, v) of the header from u.v and the norms (double).
RELUSIM_HD inline double kernel(double uv, double nu, double nv, double a) {
  double relu_part = 0.0;
  if (nu > 0.0 && nv > 0.0) {
    const double t = hd::angle_from_cos(uv / (nu * nv));
    relu_part = nu * nv * hd::fma(hd::kPi - t, hd::cos(t), hd::sin(t)) / (2.0 * hd::kPi);
  }
  return hd::fma(a, uv, (1.0 - a) * (1.0 - a) * relu_part);
}

/// Fixed mode: trajectory k's training set (column s = sample s) and the identity order.
template <class T>
struct MakeTrainingSet {
  ModelCWave<T> w;
  RELUSIM_HD void operator()(std::int64_t idx) const {
    const int k = static_cast<int>(idx / w.n_train), s = static_cast<int>(idx % w.n_train);
    const ModelCParams& p = w.p(k);
    fill_normal_row(p.seed, w.ids[k], StreamPurpose::design, static_cast<std::uint64_t>(s), w.d,
                    w.x_train + (static_cast<std::int64_t>(k) * w.n_train + s) * w.d);
    w.perm[static_cast<std::int64_t>(k) * w.n_train + s] = s;
  }
};

/// Fixed mode with B < N: a fresh order of the training set at the start of each epoch
/// (Fisher-Yates, uniform draws from the minibatch stream, row = epoch).
template <class T>
struct ShuffleEpoch {
  ModelCWave<T> w;
  std::int64_t epoch;
  RELUSIM_HD void operator()(std::int64_t k) const {
    if (w.state[k].active == 0) return;
    const ModelCParams& p = w.p(static_cast<int>(k));
    int* perm = w.perm + k * w.n_train;
    for (int i = w.n_train - 1; i > 0; --i) {
      const DrawPair u =
          uniform_pair({p.seed, w.ids[k], StreamPurpose::minibatch,
                        static_cast<std::uint64_t>(epoch), static_cast<std::uint32_t>(i)});
      int j = static_cast<int>(u.x * (i + 1));
      if (j > i) j = i;
      const int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
  }
};

/// The step's inputs (column b of trajectory k): fresh samples (online, row t B + b) or the
/// training set in the epoch's order (fixed, from position `first`).
template <class T>
struct SampleInputs {
  ModelCWave<T> w;
  std::int64_t step;
  int count;  ///< samples this step
  int first;  ///< fixed mode: position of the step's first sample in the epoch
  RELUSIM_HD void operator()(std::int64_t idx) const {
    const int k = static_cast<int>(idx / count), b = static_cast<int>(idx % count);
    if (w.state[k].active == 0) return;
    const ModelCParams& p = w.p(k);
    const std::int64_t off = (static_cast<std::int64_t>(k) * w.rows + b) * w.d;
    T* x = w.x + off;
    if (p.mode == DataMode::online) {
      fill_normal_row(p.seed, w.ids[k], StreamPurpose::minibatch,
                      static_cast<std::uint64_t>(step) * static_cast<std::uint64_t>(p.batch) +
                          static_cast<std::uint64_t>(b),
                      w.d, x);
    } else {
      const int s = w.perm[static_cast<std::int64_t>(k) * w.n_train + first + b];
      const T* src = w.x_train + (static_cast<std::int64_t>(k) * w.n_train + s) * w.d;
      for (int r = 0; r < w.d; ++r)
        x[r] = src[r];
    }
  }
};

/// Pre-activations z = [x] + W^T x, zs = x + W*^T x (the GEMMs left W^T x, W*^T x), the
/// residual r_b = f(x_b, W) - f(x_b, W*), then z(j, b) <- (2 / count) r_b sigma'(z(j, b)): the
/// minibatch gradient is X M^T.
template <class T>
struct Residual {
  ModelCWave<T> w;
  int count;
  RELUSIM_HD void operator()(std::int64_t idx) const {
    const int k = static_cast<int>(idx / count), b = static_cast<int>(idx % count);
    if (w.state[k].active == 0) return;
    const ModelCParams& p = w.p(k);
    const T a = static_cast<T>(p.slope);
    const std::int64_t off = (static_cast<std::int64_t>(k) * w.rows + b) * w.d;
    T* z = w.z + off;
    T* zs = w.zs + off;
    const T* x = w.x + off;
    const T id = p.identity ? T(1) : T(0);
    for (int i = 0; i < w.d; ++i) {
      z[i] = hd::fma(id, x[i], z[i]);
      zs[i] += x[i];
    }
    const T m = T(2) * (sum_act(z, w.d, a) - sum_act(zs, w.d, a)) / static_cast<T>(count);
    for (int j = 0; j < w.d; ++j)
      z[j] = m * act_slope(z[j], a);
  }
};

/// W <- W + coef(k) G for active trajectories when `apply` (coef = -eta for a minibatch
/// gradient, +eta for -grad L), then the column's partial sums of the new state.
template <class T>
struct UpdateColumns {
  ModelCWave<T> w;
  bool apply;
  RELUSIM_HD void operator()(std::int64_t idx) const {
    const int k = static_cast<int>(idx / w.d), j = static_cast<int>(idx % w.d);
    if (w.state[k].active == 0) return;
    const ModelCParams& p = w.p(k);
    const std::int64_t off = k * w.dd() + static_cast<std::int64_t>(j) * w.d;
    T* wc = w.w + off;
    const T* wsc = w.ws + off;
    if (apply) {
      const T coef = static_cast<T>(p.mode == DataMode::expected ? p.eta : -p.eta);
      const T* g = w.grad + off;
      for (int r = 0; r < w.d; ++r)
        wc[r] = hd::fma(coef, g[r], wc[r]);
    }
    ModelCColumn c;
    double live = 0.0;
    for (int r = 0; r < w.d; ++r) {
      const double v = static_cast<double>(wc[r]);
      const double u = v + ((p.identity && r == j) ? 1.0 : 0.0);
      const double us = static_cast<double>(wsc[r]) + (r == j ? 1.0 : 0.0);
      c.dist2 += (u - us) * (u - us);
      c.norm2 += v * v;
      live += u * u;
      if (!hd::isfinite(wc[r])) c.bad = 1;
    }
    c.live = live > 0.0 ? 1 : 0;
    w.col[static_cast<std::int64_t>(k) * w.d + j] = c;
  }
};

/// Reads the columns' sums into the state; decides, at step t, whether the trajectory ends
/// (the rules of engine/trajectory.hpp: diverged at once; converged, dead or out of budget).
/// ResLink converges on |W - W*|_F at every step. The vanilla network is symmetric under
/// permutations of its units, so it converges on the distance to the nearest-unit matching of
/// the teacher, known where the diagnostics ran (`fresh`).
template <class T>
struct Classify {
  ModelCWave<T> w;
  std::int64_t t;
  bool fresh;
  RELUSIM_HD void operator()(std::int64_t k) const {
    ModelCState& s = w.state[k];
    if (s.active == 0) return;
    const ModelCParams& p = w.p(static_cast<int>(k));
    double dist2 = 0.0, norm2 = 0.0;
    int bad = 0, live = 0;
    for (int j = 0; j < w.d; ++j) {
      const ModelCColumn& c = w.col[k * w.d + j];
      dist2 += c.dist2;
      norm2 += c.norm2;
      bad += c.bad;
      live += c.live;
    }
    s.steps = t;
    s.dist_f = hd::sqrt(dist2);
    s.norm_f = hd::sqrt(norm2);
    s.bad = bad;
    s.live_units = live;
    // Whatever blowup says, a state whose norms are not finite has diverged (MODEL.md §5).
    if (bad != 0 || !hd::isfinite(dist2) || !hd::isfinite(norm2) || !(s.norm_f <= p.blowup)) {
      s.outcome = Outcome::diverged;
      s.active = 0;
      return;
    }
    if (p.identity) {
      s.met = s.dist_f < s.threshold ? 1 : 0;
    } else if (fresh) {
      s.met = (s.matched != 0 && s.matched_dist < s.threshold) ? 1 : 0;
    }
    const bool met = s.met != 0;
    if (!met) {
      s.steps_to_converge = -1;
    } else if (s.steps_to_converge < 0) {
      s.steps_to_converge = t;
    }
    // Without the identity and with relu, u_j = 0 for every j has zero gradient for ever.
    const bool dead = p.slope == 0.0 && live == 0;
    if (t == 0 && dead) s.started_dead = 1;
    if ((p.early_stop && (met || dead)) || t >= p.max_steps) {
      s.outcome = met ? Outcome::converged : (dead ? Outcome::dead : Outcome::undecided);
      s.active = 0;
    }
  }
};

/// Diagnostics, first pass: effective weights e = [I] + W, es = I + W*, and |u*_j|.
template <class T>
struct EffectiveWeights {
  ModelCWave<T> w;
  bool all;  ///< every trajectory (the end of the run), else the active ones
  RELUSIM_HD void operator()(std::int64_t idx) const {
    const int k = static_cast<int>(idx / w.d), j = static_cast<int>(idx % w.d);
    if (!all && w.state[k].active == 0) return;
    const bool identity = w.p(k).identity;
    const std::int64_t off = k * w.dd() + static_cast<std::int64_t>(j) * w.d;
    double ns = 0.0;
    for (int r = 0; r < w.d; ++r) {
      w.e[off + r] = w.w[off + r] + ((identity && r == j) ? T(1) : T(0));
      w.es[off + r] = w.ws[off + r] + (r == j ? T(1) : T(0));
      ns += static_cast<double>(w.es[off + r]) * static_cast<double>(w.es[off + r]);
    }
    w.norm_s[static_cast<std::int64_t>(k) * w.d + j] = hd::sqrt(ns);
  }
};

/// Second pass: |u_j| from the Gram matrix's diagonal.
template <class T>
struct UnitNorms {
  ModelCWave<T> w;
  bool all;
  RELUSIM_HD void operator()(std::int64_t idx) const {
    const int k = static_cast<int>(idx / w.d), j = static_cast<int>(idx % w.d);
    if (!all && w.state[k].active == 0) return;
    const double g =
        static_cast<double>(w.gram[k * w.dd() + static_cast<std::int64_t>(j) * w.d + j]);
    w.norm_u[static_cast<std::int64_t>(k) * w.d + j] = hd::sqrt(hd::max(g, 0.0));
  }
};

/// Third pass, column j: alpha into `cross`, beta into `gram`, gamma_j, and the column's loss
/// and potential terms.
template <class T>
struct Coefficients {
  ModelCWave<T> w;
  bool all;
  RELUSIM_HD void operator()(std::int64_t idx) const {
    const int k = static_cast<int>(idx / w.d), j = static_cast<int>(idx % w.d);
    if (!all && w.state[k].active == 0) return;
    const double a = w.p(k).slope, q = (1.0 - a) * (1.0 - a);
    const std::int64_t off = k * w.dd() + static_cast<std::int64_t>(j) * w.d;
    const double* nu = w.norm_u + static_cast<std::int64_t>(k) * w.d;
    const double* ns = w.norm_s + static_cast<std::int64_t>(k) * w.d;
    double gamma = 0.0, loss = 0.0, best = -1.0;
    int best_i = 0;
    for (int i = 0; i < w.d; ++i) {
      const double uu = static_cast<double>(w.gram[off + i]);
      const double su = static_cast<double>(w.cross[off + i]);
      const double dist2 = hd::max(hd::fma(-su, 2.0, hd::fma(ns[i], ns[i], nu[j] * nu[j])), 0.0);
      if (best < 0.0 || dist2 < best) {
        best = dist2;
        best_i = i;
      }
      loss += hd::fma(-2.0, kernel(su, ns[i], nu[j], a), kernel(uu, nu[i], nu[j], a));
      double alpha, beta;
      if (nu[j] > 0.0) {
        const double t = nu[i] > 0.0 ? hd::angle_from_cos(uu / (nu[i] * nu[j])) : hd::kPi / 2;
        const double ts = ns[i] > 0.0 ? hd::angle_from_cos(su / (ns[i] * nu[j])) : hd::kPi / 2;
        alpha = 2.0 * a + q * (hd::kPi - ts) / hd::kPi;
        beta = -2.0 * a - q * (hd::kPi - t) / hd::kPi;
        gamma = hd::fma(q / hd::kPi, ns[i] * hd::sin(ts) - nu[i] * hd::sin(t), gamma);
      } else {
        alpha = a * (1.0 + a);
        beta = -alpha;
      }
      w.cross[off + i] = static_cast<T>(alpha);
      w.gram[off + i] = static_cast<T>(beta);
    }
    w.gamma[static_cast<std::int64_t>(k) * w.d + j] = gamma;
    ModelCColumn& c = w.col[static_cast<std::int64_t>(k) * w.d + j];
    c.loss = loss;
    c.potential = ns[j] - nu[j];
    c.match_dist2 = best;
    c.match = best_i;
  }
};

/// Fourth pass, after grad = es alpha + e beta: adds gamma_j u_j / |u_j| and the column's part
/// of <-grad L, W* - W> (effective weights).
template <class T>
struct FinishGradient {
  ModelCWave<T> w;
  bool all;
  RELUSIM_HD void operator()(std::int64_t idx) const {
    const int k = static_cast<int>(idx / w.d), j = static_cast<int>(idx % w.d);
    if (!all && w.state[k].active == 0) return;
    const std::int64_t off = k * w.dd() + static_cast<std::int64_t>(j) * w.d;
    const std::int64_t kj = static_cast<std::int64_t>(k) * w.d + j;
    const double nu = w.norm_u[kj];
    const double scale = nu > 0.0 ? w.gamma[kj] / nu : 0.0;
    double inner = 0.0;
    for (int r = 0; r < w.d; ++r) {
      const double g =
          hd::fma(scale, static_cast<double>(w.e[off + r]), static_cast<double>(w.grad[off + r]));
      w.grad[off + r] = static_cast<T>(g);
      inner =
          hd::fma(g, static_cast<double>(w.es[off + r]) - static_cast<double>(w.e[off + r]), inner);
    }
    w.col[kj].inner = inner;
  }
};

/// Last pass, per trajectory: loss, g, inner product and ratio at step t; phase I ends at the
/// first checked step with a positive inner product.
template <class T>
struct ReduceDiagnostics {
  ModelCWave<T> w;
  bool all;
  std::int64_t t;  ///< the step, or -1: each trajectory's last step
  RELUSIM_HD void operator()(std::int64_t k) const {
    ModelCState& s = w.state[k];
    if (!all && s.active == 0) return;
    double loss = s.loss_teacher, potential = 0.0, inner = 0.0, dist2 = 0.0, match2 = 0.0;
    int matched = 1;
    const ModelCColumn* col = w.col + k * w.d;
    for (int j = 0; j < w.d; ++j) {
      loss += col[j].loss;
      potential += col[j].potential;
      inner += col[j].inner;
      dist2 += col[j].dist2;
      match2 += col[j].match_dist2;
      for (int i = 0; i < j && matched != 0; ++i)
        if (col[i].match == col[j].match) matched = 0;
    }
    s.matched = matched;
    s.matched_dist = hd::sqrt(match2);
    // A sum of closed-form terms that cancel at the teacher: it can round a few ulps below 0.
    // Clamped (a loss is >= 0); NaN stays NaN (`<` is false) and marks the trajectory diverged.
    s.loss = loss < 0.0 ? 0.0 : loss;
    s.potential = potential;
    s.inner = inner;
    s.ratio = dist2 > 0.0 ? inner / dist2 : 0.0;
    if (s.phase_ended == 0 && inner > 0.0) {
      s.phase_ended = 1;
      s.phase_end = t >= 0 ? t : s.steps;
    }
  }
};

/// The teacher's constant sum_ij k(u*_i, u*_j), from gram = es^T es (setup).
template <class T>
struct TeacherLoss {
  ModelCWave<T> w;
  RELUSIM_HD void operator()(std::int64_t k) const {
    const double a = w.p(static_cast<int>(k)).slope;
    const T* g = w.gram + k * w.dd();
    double s = 0.0;
    for (int j = 0; j < w.d; ++j)
      for (int i = 0; i < w.d; ++i) {
        const double ni = hd::sqrt(hd::max(static_cast<double>(g[i * w.d + i]), 0.0));
        const double nj = hd::sqrt(hd::max(static_cast<double>(g[j * w.d + j]), 0.0));
        s += kernel(static_cast<double>(g[j * w.d + i]), ni, nj, a);
      }
    w.state[k].loss_teacher = s;
  }
};

/// Power iteration for |W - W*|_2 (effective weights, vanilla units against their matched
/// teacher units): e <- [I] + W - (I + W*) P (column j), and the start vector.
template <class T>
struct PowerStart {
  ModelCWave<T> w;
  RELUSIM_HD void operator()(std::int64_t idx) const {
    const int k = static_cast<int>(idx / w.d), j = static_cast<int>(idx % w.d);
    const std::int64_t off = k * w.dd() + static_cast<std::int64_t>(j) * w.d;
    const ModelCParams& p = w.p(k);
    // Vanilla and matched: unit j against its teacher unit m.
    const int m = (!p.identity && w.state[k].matched != 0)
                      ? w.col[static_cast<std::int64_t>(k) * w.d + j].match
                      : j;
    const std::int64_t moff = k * w.dd() + static_cast<std::int64_t>(m) * w.d;
    for (int r = 0; r < w.d; ++r)  // u_j - u*_m = [e_j] + w_j - e_m - w*_m
      w.e[off + r] = p.identity ? w.w[off + r] - w.ws[off + r]
                                : w.w[off + r] - w.ws[moff + r] - (r == m ? T(1) : T(0));
    if (j == 0)
      fill_random_row(p.seed, w.ids[k], kPowerStream, 0, InputDistribution::gaussian, w.d,
                      w.vec + static_cast<std::int64_t>(k) * w.d);
  }
};

/// vec <- vec / |vec|; the norm (|D^T D v| for a unit v) estimates sigma_1^2.
template <class T>
struct PowerNormalize {
  ModelCWave<T> w;
  bool last;
  RELUSIM_HD void operator()(std::int64_t k) const {
    T* v = w.vec + k * w.d;
    double s = 0.0;
    for (int r = 0; r < w.d; ++r)
      s = hd::fma(static_cast<double>(v[r]), static_cast<double>(v[r]), s);
    const double nrm = hd::sqrt(s);
    if (last) w.state[k].dist_2 = hd::sqrt(nrm);
    if (!(nrm > 0.0) || !hd::isfinite(nrm)) return;
    for (int r = 0; r < w.d; ++r)
      v[r] = static_cast<T>(static_cast<double>(v[r]) / nrm);
  }
};

}  // namespace model_c
}  // namespace relusim
