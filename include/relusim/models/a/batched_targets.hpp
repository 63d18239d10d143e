// Fixed-design targets of a whole wave of trajectories at once (MODEL.md §1.3-1.4): the Gram
// matrices Bm = X^T D* X, Kong's Lemma 2 check, Bm^-1, Kong's lambda bounds (17)/(33) and w_hat
// for l2, l1sq and l1. Written once over a batched linear-algebra back end `Ops`:
//   HostBatchedOps  (batched_ops_host.hpp)  plain loops with cuBLAS's semantics, the reference;
//   CublasBatchedOps (kernels/cublas_ops.cuh) cuBLAS strided-batched GEMM and batched LU.
// Both run the same per-trajectory steps below (single-source RELUSIM_HD functors), so the only
// GPU-specific code is the thin cuBLAS/kernel-launch glue.
//
// Layout: trajectory k's design is column-major ld x d (the trajectory's own layout,
// models/a/types.hpp: rows past `rows` are zero, and add nothing to any product); every d x d
// matrix is column-major (for the symmetric Bm the two layouts agree).
//
// All three regularisers are solved by iterating on the sign pattern s of w (MODEL.md §1.3): for
// a fixed s the stationarity equation is linear,
//   l2:   (Bm - 2 nf I) w     = Bm w*
//   l1:   Bm w                = Bm w* + nf s
//   l1sq: (Bm - 2 nf s s^T) w = Bm w*          (|w|_1 = s . w)
// with nf = N * regularizer_factor (-lambda N / 2 descent, +lambda N / 2 as printed); a solution
// whose own sign pattern is s is w_hat (for l1sq this is Newton's method on the piecewise-linear
// residual, which is exact once the pattern is right).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "relusim/core/blas.hpp"
#include "relusim/core/hd.hpp"
#include "relusim/models/a/dynamics.hpp"

namespace relusim {

/// Sign-pattern iterations before a trajectory's w_hat counts as not found.
inline constexpr int kMaxSignIterations = 100;

/// Per-trajectory state of the batched computation.
struct FixedTargetState {
  TargetChecks checks;
  int active_rows = 0;  ///< rows with x_i . w* > 0 (rank of D* X is at most this)
  int active = 0;       ///< still iterating on its sign pattern
  int iterations = 0;   ///< linear solves so far
  double scale = 0.0;   ///< max |entry| of the current system (singularity threshold)
};

/// One wave: n trajectories of one shape (rows x d), all pointers in one memory space (host
/// vectors or device buffers). Trajectory k uses params[param_of[k]].
struct FixedTargetWave {
  int n = 0, rows = 0, ld = 0, d = 0;
  /// Some trajectory's lambda bound needs P = X Bm^-1 whole (lambda_bound_needs_p: l1, l1sq);
  /// l2's needs only X (Bm^-1 w*), which saves the wave its largest product.
  bool need_p = true;
  const ModelAParams* params = nullptr;
  const std::uint32_t* param_of = nullptr;  ///< n
  const double* x = nullptr;                ///< n * ld * d, the designs
  const double* w_star = nullptr;           ///< n * d
  double* work = nullptr;                   ///< n * ld * d: D* X, then X Bm^-1 (need_p)
  double* zs = nullptr;                     ///< n * ld: X w*, row by row
  double* zt = nullptr;                     ///< n * ld: a row-by-row product (scratch)
  double* bm = nullptr;                     ///< n * d * d: X^T D* X
  double* inv = nullptr;                    ///< n * d * d: Bm^-1
  double* sys = nullptr;                    ///< n * d * d: the matrix being factored
  double* rhs = nullptr;                    ///< n * d: right-hand side, then solution
  double* sgn = nullptr;                    ///< n * d: sign pattern of the current iterate
  double* target = nullptr;                 ///< n * d: output, w_hat (or w*)
  int* pivots = nullptr;                    ///< n * d
  int* info = nullptr;                      ///< n
  FixedTargetState* state = nullptr;        ///< n
  TargetChecks* checks = nullptr;           ///< n: output
  double** sys_ptrs = nullptr;              ///< n pointer arrays for the batched LU
  double** inv_ptrs = nullptr;
  double** rhs_ptrs = nullptr;
};

/// Whether a trajectory's lambda bound needs P = X Bm^-1 whole (the caller of a wave sets
/// FixedTargetWave::need_p from its host copy of the parameters).
inline bool lambda_bound_needs_p(const ModelAParams& p) {
  return p.regularizer == Regularizer::l1 || p.regularizer == Regularizer::l1sq;
}

/// Scratch of a wave, as four arrays: `doubles` of fixed_target_doubles(n, ld, d), `ints` of
/// n (d + 1), `state` of n and `ptrs` of 3 n. Fills every field of the wave except its inputs
/// (params, param_of, x, w_star) and outputs (target, checks).
inline std::int64_t fixed_target_doubles(std::int64_t n, std::int64_t ld, std::int64_t d) {
  return n * (ld * d + 2 * ld + 3 * d * d + 2 * d);
}
inline FixedTargetWave carve_fixed_target_wave(int n, int rows, int ld, int d, double* doubles,
                                               int* ints, FixedTargetState* state, double** ptrs) {
  const std::int64_t un = n, dd = static_cast<std::int64_t>(d) * d;
  FixedTargetWave w;
  w.n = n;
  w.rows = rows;
  w.ld = ld;
  w.d = d;
  w.work = doubles;
  w.zs = w.work + un * ld * d;
  w.zt = w.zs + un * ld;
  w.bm = w.zt + un * ld;
  w.inv = w.bm + un * dd;
  w.sys = w.inv + un * dd;
  w.rhs = w.sys + un * dd;
  w.sgn = w.rhs + un * d;
  w.pivots = ints;
  w.info = ints + un * d;
  w.state = state;
  w.sys_ptrs = ptrs;
  w.inv_ptrs = ptrs + un;
  w.rhs_ptrs = ptrs + 2 * un;
  return w;
}

/// Bytes one trajectory needs in a wave: the scratch above, its design, teacher, target, checks
/// and parameter index.
inline std::int64_t fixed_target_bytes(std::int64_t ld, std::int64_t d) {
  const auto dbl = static_cast<std::int64_t>(sizeof(double));
  return dbl * (fixed_target_doubles(1, ld, d) + ld * d + 2 * d) +
         static_cast<std::int64_t>(sizeof(int)) * (d + 2) +
         static_cast<std::int64_t>(sizeof(FixedTargetState) + sizeof(TargetChecks) +
                                   3 * sizeof(double*));
}

namespace target_steps {

/// The d x d matrix of trajectory k in a strided array.
RELUSIM_HD inline double* mat(double* base, const FixedTargetWave& w, int k) {
  return base + static_cast<std::ptrdiff_t>(k) * w.d * w.d;
}
RELUSIM_HD inline double* vec(double* base, const FixedTargetWave& w, int k) {
  return base + static_cast<std::ptrdiff_t>(k) * w.d;
}
RELUSIM_HD inline const double* design(const FixedTargetWave& w, int k) {
  return w.x + static_cast<std::ptrdiff_t>(k) * w.ld * w.d;
}
/// The ld numbers of trajectory k in a strided array (one per design row).
RELUSIM_HD inline double* rows_of(double* base, const FixedTargetWave& w, int k) {
  return base + static_cast<std::ptrdiff_t>(k) * w.ld;
}
/// out[i] = sum_j m[i + j ld] v[j], summed in j's order, for i < rows (0 past them). The rows
/// are the inner loop, so they vectorise (a dot product per row ran at a few flops per cycle).
RELUSIM_HD inline void rows_dot(const double* m, int ld, int rows, const double* v, int d,
                                double* out) {
  for (int i = 0; i < ld; ++i)
    out[i] = 0.0;
  for (int j = 0; j < d; ++j) {
    const double* c = m + static_cast<std::ptrdiff_t>(j) * ld;
    const double vj = v[j];
    for (int i = 0; i < rows; ++i)
      out[i] = hd::fma(c[i], vj, out[i]);
  }
}
RELUSIM_HD inline bool regularized(const ModelAParams& p) {
  return p.regularizer != Regularizer::none && p.lambda > 0.0;
}

/// The pointer arrays of the batched LU, and the masked design D* X.
struct PrepareWave {
  FixedTargetWave w;
  RELUSIM_HD void operator()(int k) const {
    w.sys_ptrs[k] = mat(w.sys, w, k);
    w.inv_ptrs[k] = mat(w.inv, w, k);
    w.rhs_ptrs[k] = vec(w.rhs, w, k);
    const double* x = design(w, k);
    const double* ws = w.w_star + static_cast<std::ptrdiff_t>(k) * w.d;
    double* m = w.work + static_cast<std::ptrdiff_t>(k) * w.ld * w.d;
    double* zs = rows_of(w.zs, w, k);
    rows_dot(x, w.ld, w.rows, ws, w.d, zs);
    FixedTargetState st;
    for (int i = 0; i < w.rows; ++i)
      st.active_rows += zs[i] > 0.0 ? 1 : 0;
    for (int j = 0; j < w.d; ++j) {
      const std::ptrdiff_t c = static_cast<std::ptrdiff_t>(j) * w.ld;
      for (int i = 0; i < w.ld; ++i)  // rows past `rows` have zs = 0: off
        m[c + i] = zs[i] > 0.0 ? x[c + i] : 0.0;
    }
    w.state[k] = st;
  }
};

/// sys = Bm, to be factored without pivoting: for a symmetric matrix the pivots are Cholesky's
/// squared diagonal, so all of them positive <=> positive definite.
struct CopyGram {
  FixedTargetWave w;
  RELUSIM_HD void operator()(int k) const {
    const double* b = mat(w.bm, w, k);
    double* s = mat(w.sys, w, k);
    for (int e = 0; e < w.d * w.d; ++e)
      s[e] = b[e];
  }
};

/// Reads the unpivoted factor: Lemma 2's check. Prepares sys = Bm (or I when Bm is not positive
/// definite, so that no factorisation sees a singular matrix) and inv = I for the inverse.
struct CheckDefinite {
  FixedTargetWave w;
  RELUSIM_HD void operator()(int k) const {
    const int d = w.d;
    const double* b = mat(w.bm, w, k);
    double* s = mat(w.sys, w, k);
    double scale = 0.0;
    for (int j = 0; j < d; ++j)
      scale = hd::max(scale, hd::fabs(b[j * d + j]));
    // Fewer active rows than d: singular for certain, whatever rounding leaves in the last
    // pivot (a 1e-13 relative threshold alone let such matrices through).
    FixedTargetState& st = w.state[k];
    bool pd = w.info[k] == 0 && st.active_rows >= d;
    for (int j = 0; j < d && pd; ++j)
      pd = s[j * d + j] > 1e-13 * scale;
    st.checks.design_checked = true;
    st.checks.positive_definite = pd;
    const bool reg = regularized(w.params[w.param_of[k]]);
    if (!pd) {  // with lambda = 0, w* is a target whatever Bm is
      st.checks.lambda_within_bound = !reg;
      st.checks.target_valid = !reg;
      st.checks.solved = !reg;
    }
    double* inv = mat(w.inv, w, k);
    for (int i = 0; i < d; ++i)
      for (int j = 0; j < d; ++j) {
        inv[j * d + i] = i == j ? 1.0 : 0.0;
        s[j * d + i] = pd ? b[j * d + i] : inv[j * d + i];
      }
  }
};

/// Kong's bound for the regulariser ((17) l2, (33) l1sq, and for plain l1 the same argument on
/// w_hat = w* + nf Bm^-1 s); `inv` holds Bm^-1, and for l1 and l1sq `work` holds P = X Bm^-1
/// (column-major ld x d). Starts the sign iteration of the trajectories that need w_hat.
struct LambdaBound {
  FixedTargetWave w;
  RELUSIM_HD void operator()(int k) const {
    const ModelAParams& p = w.params[w.param_of[k]];
    const int d = w.d, rows = w.rows, ld = w.ld;
    FixedTargetState& st = w.state[k];
    const double* ws = w.w_star + static_cast<std::ptrdiff_t>(k) * d;
    double* t = vec(w.target, w, k);
    double* s = vec(w.sgn, w, k);
    for (int j = 0; j < d; ++j) {
      t[j] = ws[j];
      s[j] = hd::sign(ws[j]);
    }
    if (!st.checks.positive_definite || p.regularizer == Regularizer::none) return;
    const double* pm = w.work + static_cast<std::ptrdiff_t>(k) * ld * d;
    const double* zs = rows_of(w.zs, w, k);  // x_i w*
    double* zt = rows_of(w.zt, w, k);
    const double inf = std::numeric_limits<double>::infinity();
    double bound = inf;
    if (p.regularizer == Regularizer::l2) {  // min_i |x_i w*| / |x_i Bm^-1 w*| / (2N)
      const double* inv = mat(w.inv, w, k);
      double* v = vec(w.rhs, w, k);  // Bm^-1 w* (rhs is free until the sign iteration)
      for (int i = 0; i < d; ++i)
        v[i] = 0.0;
      for (int j = 0; j < d; ++j)
        for (int i = 0; i < d; ++i)
          v[i] = hd::fma(inv[j * d + i], ws[j], v[i]);
      rows_dot(design(w, k), ld, rows, v, d, zt);
      for (int i = 0; i < rows; ++i) {
        const double num = hd::fabs(zs[i]);
        const double den = hd::fabs(zt[i]);
        if (den > 0.0) bound = hd::min(bound, num / den);
      }
      bound /= 2.0 * rows;
    } else {
      double xm_inf = 0.0, min_active = inf, min_abs = inf, l1 = 0.0;
      for (int i = 0; i < rows; ++i)  // |row i of P|_1, summed as row by row
        zt[i] = 0.0;
      for (int j = 0; j < d; ++j)
        for (int i = 0; i < rows; ++i)
          zt[i] += hd::fabs(pm[i + static_cast<std::ptrdiff_t>(j) * ld]);
      for (int i = 0; i < rows; ++i) {
        xm_inf = hd::max(xm_inf, zt[i]);
        const double z = zs[i];
        if (z > 0.0) min_active = hd::min(min_active, z);
        min_abs = hd::min(min_abs, hd::fabs(z));
      }
      for (int j = 0; j < d; ++j)
        l1 += hd::fabs(ws[j]);
      bound = p.regularizer == Regularizer::l1sq ? min_active / (4.0 * rows * l1 * xm_inf)
                                                 : min_abs / (rows * xm_inf);
    }
    st.checks.lambda_bound = bound;
    st.checks.lambda_within_bound = p.lambda <= bound;
    st.active = regularized(p) ? 1 : 0;
  }
};

/// The linear system of the current sign pattern (identity for finished trajectories).
struct AssembleSystem {
  FixedTargetWave w;
  RELUSIM_HD void operator()(int k) const {
    const int d = w.d;
    const ModelAParams& p = w.params[w.param_of[k]];
    FixedTargetState& st = w.state[k];
    double* a = mat(w.sys, w, k);
    double* r = vec(w.rhs, w, k);
    if (!st.active) {
      for (int i = 0; i < d; ++i) {
        r[i] = 0.0;
        for (int j = 0; j < d; ++j)
          a[j * d + i] = i == j ? 1.0 : 0.0;
      }
      return;
    }
    const double nf = p.n_samples * regularizer_factor(p);
    const double* b = mat(w.bm, w, k);
    const double* ws = w.w_star + static_cast<std::ptrdiff_t>(k) * d;
    const double* s = vec(w.sgn, w, k);
    double scale = 0.0;
    for (int i = 0; i < d; ++i) {
      double bw = 0.0;
      for (int j = 0; j < d; ++j) {
        bw = hd::fma(b[j * d + i], ws[j], bw);
        double v = b[j * d + i];
        if (p.regularizer == Regularizer::l2 && i == j) v -= 2.0 * nf;
        if (p.regularizer == Regularizer::l1sq) v = hd::fma(-(2.0 * nf * s[i]), s[j], v);
        a[j * d + i] = v;
        scale = hd::max(scale, hd::fabs(v));
      }
      r[i] = p.regularizer == Regularizer::l1 ? hd::fma(nf, s[i], bw) : bw;
    }
    st.scale = scale;
  }
};

/// Reads the solution: done when it keeps the sign pattern it assumed (l2 needs no pattern).
struct UpdateSigns {
  FixedTargetWave w;
  RELUSIM_HD void operator()(int k) const {
    FixedTargetState& st = w.state[k];
    if (!st.active) return;
    const int d = w.d;
    const ModelAParams& p = w.params[w.param_of[k]];
    const double* u = mat(w.sys, w, k);
    bool singular = w.info[k] != 0;
    for (int j = 0; j < d && !singular; ++j)
      singular = !(hd::fabs(u[j * d + j]) > 1e-14 * st.scale);  // linalg.hpp's lu_solve
    ++st.iterations;
    if (singular) {
      st.active = 0;
      st.checks.solved = false;
      return;
    }
    const double* r = vec(w.rhs, w, k);
    double* s = vec(w.sgn, w, k);
    bool same = true;
    for (int j = 0; j < d; ++j) {
      const double sj = hd::sign(r[j]);
      same = same && sj == s[j];
      s[j] = sj;
    }
    if (p.regularizer == Regularizer::l2 || same) {
      double* t = vec(w.target, w, k);
      for (int j = 0; j < d; ++j)
        t[j] = r[j];
      st.active = 0;
      st.checks.solved = true;
    } else if (st.iterations >= kMaxSignIterations) {
      st.active = 0;
      st.checks.solved = false;
    }
  }
};

/// D(w_hat) = D*: every row keeps its side of the hyperplane. Writes the checks out.
struct CheckActivation {
  FixedTargetWave w;
  RELUSIM_HD void operator()(int k) const {
    FixedTargetState& st = w.state[k];
    const ModelAParams& p = w.params[w.param_of[k]];
    if (st.checks.positive_definite && regularized(p)) {
      st.checks.target_valid = st.checks.solved;
      double* t = vec(w.target, w, k);
      const double* ws = w.w_star + static_cast<std::ptrdiff_t>(k) * w.d;
      if (st.checks.target_valid) {
        const double* zs = rows_of(w.zs, w, k);  // x_i w*
        double* zt = rows_of(w.zt, w, k);
        rows_dot(design(w, k), w.ld, w.rows, t, w.d, zt);
        int flipped = 0;
        for (int i = 0; i < w.rows; ++i)
          flipped += (zt[i] > 0.0) != (zs[i] > 0.0) ? 1 : 0;
        st.checks.target_valid = flipped == 0;
      }
      if (!st.checks.solved)
        for (int j = 0; j < w.d; ++j)
          t[j] = ws[j];
    }
    w.checks[k] = st.checks;
  }
};

}  // namespace target_steps

/// Runs the whole computation for one wave on `ops` (host orchestration; the steps run where
/// the wave's memory is).
template <class Ops>
void compute_fixed_targets(Ops& ops, const FixedTargetWave& w) {
  using namespace target_steps;
  if (w.n == 0) return;
  const int d = w.d, ld = w.ld;
  const std::int64_t dd = static_cast<std::int64_t>(d) * d, rd = static_cast<std::int64_t>(ld) * d;
  ops.for_each(w.n, PrepareWave{w});
  // Bm = (D* X)^T (D* X), D* X column-major ld x d.
  ops.gram(d, ld, w.work, ld, rd, w.bm, d, dd, w.n);
  ops.for_each(w.n, CopyGram{w});
  ops.getrf(d, w.sys_ptrs, d, nullptr, w.info, w.n);
  ops.for_each(w.n, CheckDefinite{w});
  // Bm^-1 by pivoted LU; then P = X Bm^-1, column-major ld x d.
  ops.getrf(d, w.sys_ptrs, d, w.pivots, w.info, w.n);
  ops.getrs(d, d, w.sys_ptrs, d, w.pivots, w.inv_ptrs, d, w.n);
  if (w.need_p)
    ops.gemm(BlasTrans::none, BlasTrans::none, ld, d, d, w.x, ld, rd, w.inv, d, dd, w.work, ld, rd,
             w.n);
  ops.for_each(w.n, LambdaBound{w});
  for (int it = 0; it < kMaxSignIterations && ops.count_active(w.state, w.n) > 0; ++it) {
    ops.for_each(w.n, AssembleSystem{w});
    ops.getrf(d, w.sys_ptrs, d, w.pivots, w.info, w.n);
    ops.getrs(d, 1, w.sys_ptrs, d, w.pivots, w.rhs_ptrs, d, w.n);
    ops.for_each(w.n, UpdateSigns{w});
  }
  ops.for_each(w.n, CheckActivation{w});
}

}  // namespace relusim
