// Model A (MODEL.md §1): one ReLU teacher, one ReLU student, gradient dynamics of one trajectory.
// Single-source host+device code over a Team (team.hpp): no exceptions, no heap, no virtuals.
//
// The pieces the model type ModelA (model.hpp) puts behind the seam:
//   model_a_setup(team, p, id, ws)      teacher w*, initial w, design X and teacher outputs u
//   (the backend fills ws.target: w* when lambda = 0, else w_hat, see targets.hpp)
//   model_a_evaluate(...)               one evaluation of Delta(w), its norms and |Delta|^2
// The trajectory loop itself is engine/trajectory.hpp's, shared by every model.
// Over 500 lines: Model A's single-source step with its serial (SIMD) and team variants side by
// side, so that each variant is read against the other.
#pragma once

#include <cstdint>

#include <utility>

#include "relusim/core/hd.hpp"
#include "relusim/core/host_simd.hpp"
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

/// Draws `rows` samples of stream `purpose` starting at `first_row` into the column-major x
/// (leading dimension ld), and u = relu(x w*); rows rows..ld of both are zero.
template <class T, class Team>
RELUSIM_HD inline void model_a_draw_rows(Team& team, const ModelAParams& p, std::uint32_t id,
                                         StreamPurpose purpose, std::uint64_t first_row, int rows,
                                         int ld, T* x, T* u, const T* w_star) {
  const int i0 = team.rank(), step = Team::is_serial ? 1 : team.size();
  fill_random_columns(p.seed, id, purpose, first_row, i0, step, rows, p.inputs, p.d, x,
                      static_cast<std::int64_t>(ld));
  for (int i = i0; i < ld; i += step)
    u[i] = T(0);
  for (int j = 0; j < p.d; ++j) {
    const T* col = x + static_cast<std::int64_t>(j) * ld;
    const T wj = w_star[j];
    for (int i = i0; i < rows; i += step)
      u[i] = hd::fma(col[i], wj, u[i]);
  }
  for (int i = i0; i < ld; i += step)
    u[i] = i < rows ? hd::relu(u[i]) : T(0);
  for (int j = 0; j < p.d; ++j)
    for (int i = rows + i0; i < ld; i += step)
      x[static_cast<std::int64_t>(j) * ld + i] = T(0);
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
    model_a_draw_rows(team, p, id, StreamPurpose::design, 0, p.n_samples, model_a_ld(p), ws.x, ws.u,
                      ws.w_star);
  }
  team.sync();
}

// ---------------------------------------------------------------------------------------------
// One evaluation of Delta(w)
// ---------------------------------------------------------------------------------------------

/// dR/dw_j of MODEL.md §1 (sign(0) = 0).
template <class T>
RELUSIM_HD RELUSIM_INLINE T regularizer_gradient(Regularizer reg, T wj, T l1) {
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

/// What Delta adds to the data term's coordinates: factor * dR/dw_j (nothing when factor = 0).
template <class T>
struct RegularizerTerm {
  Regularizer reg;
  T factor;  ///< regularizer_factor(p)
  T l1;      ///< ||w||_1 (for l1sq)
};

/// Delta_j from the data term's g_j.
template <class T>
RELUSIM_HD RELUSIM_INLINE T delta_coordinate(T g, T wj, const RegularizerTerm<T>& rt) {
  return rt.factor != T(0) ? hd::fma(rt.factor, regularizer_gradient(rt.reg, wj, rt.l1), g) : g;
}

template <class T>
struct DataTerm {
  T loss;      ///< 1/(2 rows) * sum (u_i - relu(z_i))^2
  int active;  ///< samples with z_i > 0
};

/// Partial sums of the serial step: four 64-byte vectors (32 doubles, 64 floats), so four
/// independent chains of fused multiply-adds hide their latency. A fixed number in the source:
/// sums are taken in the same order whatever the vector ISA.
template <class T>
inline constexpr int kSerialWidth = 4 * kLanes<T>;

/// The sum of N partials in a fixed pairwise order (N a power of two), unrolled at compile time
/// so the partials stay in registers.
template <int N, class T>
RELUSIM_HD inline T pairwise_sum(const T* a) {
  if constexpr (N == 1) {
    return a[0];
  } else {
    T b[N / 2];
    for (int l = 0; l < N / 2; ++l)
      b[l] = a[l] + a[l + N / 2];
    return pairwise_sum<N / 2>(b);
  }
}

/// From this many columns on, the serial step's row products run kWideChunk vectors at a time.
inline constexpr int kWideColumns = 16;
/// Vectors of rows whose z = X w one residual chunk carries across the columns: eight
/// independent chains of multiply-adds, each w_j shared by eight. With four, W2-shaped runs
/// (d = 256, N = 256 to 4096) took 5-12% longer on the development machine. Each row's sum is
/// the same whatever the chunk.
inline constexpr int kWideChunk = 8;

/// Rows a serial step handles at once: their residuals stay in L1 and their part of X in L2
/// while X^T r re-reads it, so X streams from memory once per step.
inline constexpr int kSerialBlock = 256;

/// z = X w and r = D(w)(u - z) for M consecutive rows (M a multiple of kLanes<T>), with z in
/// registers across the columns; r goes to `r`, the squared residuals and the active rows (as
/// exact small counts in T) into kLanes lanes.
template <int M, class T>
RELUSIM_HD inline void serial_residual_chunk(const T* x, std::int64_t ld, const T* u, int d,
                                             const T* w, T* r, T* loss_lanes, T* active_lanes) {
  constexpr int L = kLanes<T>;
  T z[M] = {};
  for (int j = 0; j < d; ++j) {
    const T* col = x + static_cast<std::int64_t>(j) * ld;
    const T wj = w[j];
    for (int l = 0; l < M; ++l)
      z[l] = hd::fma(col[l], wj, z[l]);
  }
  T sq[M], on[M], rr[M];  // written as selects into local arrays: the loop vectorises
  for (int l = 0; l < M; ++l) {
    const T zl = z[l];
    const T res = u[l] - (zl > T(0) ? zl : T(0));
    sq[l] = res * res;
    rr[l] = zl > T(0) ? res : T(0);
    on[l] = zl > T(0) ? T(1) : T(0);
  }
  for (int l = 0; l < M; ++l)
    r[l] = rr[l];
  for (int k = 0; k < M; k += L)
    for (int l = 0; l < L; ++l) {
      loss_lanes[l] += sq[k + l];
      active_lanes[l] += on[k + l];
    }
}

/// X^T r over one block of rows (i0, n rows, `full` of them in whole kBanks-vector steps) for
/// columns j..j+G-1: kBanks vectors of partial sums per column, carried across blocks in `acc`
/// and folded pairwise after the last. Each column sums in the same order whatever G.
template <int G, int kBanks, class T>
RELUSIM_HD inline void serial_column_sums(const T* x, int ld, int i0, int n, int full, bool first,
                                          bool last, int j, const T* rb, T inv_rows, T* g, T* acc) {
  constexpr int L = kLanes<T>, W = kBanks * L;
  const T* col[G];
  T a[G][W];
  for (int q = 0; q < G; ++q) {
    col[q] = x + static_cast<std::int64_t>(j + q) * ld + i0;
    for (int l = 0; l < W; ++l)
      a[q][l] = first ? T(0) : acc[(j + q) * W + l];
  }
  for (int c = 0; c < full; c += W)
    for (int l = 0; l < W; ++l) {
      const T rv = rb[c + l];
      for (int q = 0; q < G; ++q)
        a[q][l] = hd::fma(col[q][c + l], rv, a[q][l]);
    }
  for (int c = full; c < n; c += L)  // the last < W rows: one vector to each bank
    for (int l = 0; l < L; ++l) {
      const T rv = rb[c + l];
      for (int q = 0; q < G; ++q)
        a[q][c - full + l] = hd::fma(col[q][c + l], rv, a[q][c - full + l]);
    }
  for (int q = 0; q < G; ++q) {
    if (last) {
      g[j + q] = pairwise_sum<W>(a[q]) * inv_rows;
    } else {
      for (int l = 0; l < W; ++l)
        acc[(j + q) * W + l] = a[q][l];
    }
  }
}

/// The serial team's data term over the column-major design (ld a multiple of kLanes<T>, zero
/// padding): per block of rows, the residuals r = D(w)(u - Xw) chunk by chunk (z in registers),
/// then X^T r column by column into kSerialWidth partial sums per coordinate. Every loop runs
/// whole vectors along contiguous memory, with selects instead of branches, and the order of
/// every sum is fixed by the source. X^T r runs kBanks vectors of partial sums per coordinate.
/// `r` holds ld T's, `acc` d * kSerialWidth<T>.
template <int kBanks, class T>
RELUSIM_HD inline DataTerm<T> serial_data_gradient_banks(const T* x, int ld, const T* u, int rows,
                                                         int d, const T* w, T* g, T* r, T* acc) {
  constexpr int L = kLanes<T>, W = kBanks * L;
  const T inv_rows = T(1) / static_cast<T>(rows);  // the padding rows add exact zeros
  T loss_lanes[L] = {}, active_lanes[L] = {};
  for (int i0 = 0; i0 < ld; i0 += kSerialBlock) {
    const int n = hd::min(kSerialBlock, ld - i0);
    const int full = n / W * W;
    const bool first = i0 == 0, last = i0 + n == ld;
    // Chunks of one vector for few columns (independent chunks overlap in the out-of-order
    // core); of kWideChunk vectors for many (that many chains per column sum).
    const int wide = d >= kWideColumns ? n / (kWideChunk * L) * (kWideChunk * L) : 0;
    for (int c = 0; c < wide; c += kWideChunk * L)
      serial_residual_chunk<kWideChunk * L>(x + i0 + c, ld, u + i0 + c, d, w, r + i0 + c,
                                            loss_lanes, active_lanes);
    for (int c = wide; c < n; c += L)
      serial_residual_chunk<L>(x + i0 + c, ld, u + i0 + c, d, w, r + i0 + c, loss_lanes,
                               active_lanes);
    const T* rb = r + i0;
    // Four columns at a time share each load of r (a load per multiply-add instead of two).
    const int d4 = d / 4 * 4;
    for (int j = 0; j < d4; j += 4)
      serial_column_sums<4, kBanks>(x, ld, i0, n, full, first, last, j, rb, inv_rows, g, acc);
    for (int j = d4; j < d; ++j)
      serial_column_sums<1, kBanks>(x, ld, i0, n, full, first, last, j, rb, inv_rows, g, acc);
  }
  int active = 0;  // each lane counts at most ld / L rows: exact in T
  for (int l = 0; l < L; ++l)
    active += static_cast<int>(active_lanes[l]);
  return {pairwise_sum<L>(loss_lanes) * T(0.5) * inv_rows, active};
}

/// Up to this many rows the serial step goes row by row: a vector's setup and final sums cost
/// more than they save (Kong's N = 10 and 20 cells; docs/benchmarks.md, "Measurements behind
/// the code").
inline constexpr int kScalarRows = 32;

/// The data term row by row (z_i = x_i . w, then g += r_i x_i while the row is in cache).
template <class T>
RELUSIM_HD inline DataTerm<T> serial_data_gradient_rows(const T* x, int ld, const T* u, int rows,
                                                        int d, const T* w, T* g) {
  for (int j = 0; j < d; ++j)
    g[j] = T(0);
  T loss = T(0);
  int active = 0;
  for (int i = 0; i < rows; ++i) {
    T z = T(0);
    for (int j = 0; j < d; ++j)
      z = hd::fma(x[static_cast<std::int64_t>(j) * ld + i], w[j], z);
    const bool on = z > T(0);
    const T res = u[i] - (on ? z : T(0));
    loss = hd::fma(res, res, loss);
    active += on ? 1 : 0;
    if (on)
      for (int j = 0; j < d; ++j)
        g[j] = hd::fma(res, x[static_cast<std::int64_t>(j) * ld + i], g[j]);
  }
  const T inv_rows = T(1) / static_cast<T>(rows);
  for (int j = 0; j < d; ++j)
    g[j] *= inv_rows;
  return {loss * T(0.5) * inv_rows, active};
}

/// The serial data term without host vectors (more than kFusedColumns columns, nvcc's host
/// pass, the tests' reference): row by row up to kScalarRows rows, then four banks of partial
/// sums from kSerialWidth rows on, one below. The path, so the order of the sums, depends only
/// on the shape.
template <class T>
RELUSIM_HD inline DataTerm<T> serial_data_gradient(const T* x, int ld, const T* u, int rows, int d,
                                                   const T* w, T* g, T* r, T* acc) {
  if (rows <= kScalarRows) return serial_data_gradient_rows(x, ld, u, rows, d, w, g);
  return ld >= kSerialWidth<T> ? serial_data_gradient_banks<4>(x, ld, u, rows, d, w, g, r, acc)
                               : serial_data_gradient_banks<1>(x, ld, u, rows, d, w, g, r, acc);
}

#if RELUSIM_HOST_SIMD
/// Up to this many columns the host's serial step runs in one pass (fused_data_gradient): the
/// column sums stay in vector registers.
inline constexpr int kFusedColumns = 16;

/// The host's data term for D columns, in one pass over the design: per vector of rows, z = Xw,
/// the residuals (selects), the loss and active lanes, then g_j += x_j r into D vectors of lane
/// sums while the rows are in L1; at the end each lane sum is reduced pairwise. Lane l takes
/// rows l, l + W, l + 2W, ... in order: the order of every sum is the source's, whatever the ISA.
template <int D, class T>
inline DataTerm<T> fused_data_gradient(const T* x, int ld, const T* u, int rows, const T* w, T* g,
                                       const RegularizerTerm<T>& rt, T& gg) {
  using V = simd::Vec<T>;
  constexpr int L = simd::kWidth<T>;
  V acc[D] = {};
  V loss = {}, active = {};
  const V one = simd::splat(T(1));
  for (int c = 0; c < ld; c += L) {
    V z = {};
    for (int j = 0; j < D; ++j)
      z = simd::fma(simd::load(x + static_cast<std::int64_t>(j) * ld + c), w[j], z);
    const V res = simd::load(u + c) - simd::where_positive(z, z);
    loss = simd::fma(res, res, loss);
    active += simd::where_positive(z, one);
    const V r = simd::where_positive(z, res);
    for (int j = 0; j < D; ++j)
      acc[j] = simd::fma(simd::load(x + static_cast<std::int64_t>(j) * ld + c), r, acc[j]);
  }
  const T inv_rows = T(1) / static_cast<T>(rows);  // the padding rows add exact zeros
  T g2 = T(0);  // Delta and |Delta|^2 as finish_delta computes them, without re-reading g
  for (int j = 0; j < D; ++j) {
    const T dj = delta_coordinate(simd::sum(acc[j]) * inv_rows, w[j], rt);
    g[j] = dj;
    g2 = hd::fma(dj, dj, g2);
  }
  gg = g2;
  return {simd::sum(loss) * T(0.5) * inv_rows, static_cast<int>(simd::sum(active))};
}

/// fused_data_gradient<d> for 1 <= d <= kFusedColumns.
template <class T, int... D>
inline DataTerm<T> fused_data_gradient_for(std::integer_sequence<int, D...>, const T* x, int ld,
                                           const T* u, int rows, int d, const T* w, T* g,
                                           const RegularizerTerm<T>& rt, T& gg) {
  DataTerm<T> out{};
  (void)((d == D + 1 ? (out = fused_data_gradient<D + 1>(x, ld, u, rows, w, g, rt, gg), true)
                     : false) ||
         ...);
  return out;
}
#endif

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
    ww = hd::fma(w[j], w[j], ww);
    ws = hd::fma(w[j], w_star[j], ws);
    if (need_l1) l1 += hd::fabs(w[j]);
    if (target != nullptr) {
      const T a = w[j] - target[j];
      dd = hd::fma(a, a, dd);
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

/// The coefficients of E[Delta_data] (MODEL.md §1.1, Tian (10)-(11)) and the population data
/// loss, from the norms: coordinate j is expected_coordinate(term, w_j, w*_j). Undefined at
/// w = 0: the caller checks ww > 0.
template <class T>
struct ExpectedTerm {
  T a, b;  ///< of w_j and of -w*_j, besides (w*_j - w_j) / 2
  T loss;
};
template <class T>
RELUSIM_HD inline ExpectedTerm<T> expected_term(const StateNorms<T>& n) {
  const T nw = hd::sqrt(n.ww), ns = hd::sqrt(n.ss);
  const T theta = hd::angle_from_cos(n.ws / (nw * ns));
  const T alpha = ns / nw;
  const T inv_2pi = T(1.0 / (2.0 * hd::kPi));
  ExpectedTerm<T> e;
  e.a = inv_2pi * alpha * hd::sin(theta);
  e.b = inv_2pi * theta;
  // E[relu(a) relu(b)] = |w||w*| (sin t + (pi - t) cos t) / (2 pi); E[relu(a)^2] = |w*|^2 / 2.
  const T cross = inv_2pi * nw * ns * hd::fma(T(hd::kPi) - theta, hd::cos(theta), hd::sin(theta));
  e.loss = T(0.5) * hd::fma(-T(2), cross, hd::fma(T(0.5), n.ww, T(0.5) * n.ss));
  return e;
}
template <class T>
RELUSIM_HD RELUSIM_INLINE T expected_coordinate(const ExpectedTerm<T>& e, T wj, T sj) {
  return hd::fma(-e.b, sj, hd::fma(e.a, wj, T(0.5) * (sj - wj)));
}

/// E[Delta_data] into g (coordinates strided over the team) and the population data loss.
template <class T, class Team>
RELUSIM_HD inline T expected_gradient(Team& team, const StateNorms<T>& n, const T* w,
                                      const T* w_star, int d, T* g) {
  const ExpectedTerm<T> e = expected_term(n);
  for (int j = team.rank(); j < d; j += team.size())
    g[j] = expected_coordinate(e, w[j], w_star[j]);
  return e.loss;
}

/// Everything one evaluation at the current w tells.
template <class T>
struct Evaluation {
  StateNorms<T> norms;
  T loss;
  int active;  ///< active samples (fixed/online); 1 or 0 for expected (w != 0)
  T gg;        ///< |Delta(w)|^2
};

/// The team's step (a CUDA block, ThreadedTeam): Delta(w), its norms, |Delta|^2 and the next
/// weights ws.w_next = w + eta Delta in two barrier rounds (three when several workers share a
/// coordinate of X^T r), instead of one per quantity:
///   phase 1 (reads w): the norms of w over this worker's coordinates and, in fixed and online
///     mode, the residuals of its rows (online: the rows it has just drawn itself, so no barrier
///     between drawing and using them); one fused reduction of (|w|^2, w.w*, |w - target|^2,
///     |w|_1, loss; active) is the first barrier, which also publishes the residuals;
///   phase 2: g_j = (1/rows) sum_i r_i x_ij by the coordinate's owner (worker j mod size), or
///     in lanes that write partial sums, a barrier, and the owner adds them;
///   the owner finishes Delta_j in a register (ws.delta keeps the data term g_j), writes
///     w_next_j and adds Delta_j^2; the reduction of |Delta|^2 is the last barrier, and publishes
///     w_next (apply swaps w and w_next: no barrier).
/// Between one step's reads of a buffer and the next step's writes to it there is always a
/// barrier (r, partial, the two weight buffers). The order of every sum is the team's.
template <class T, class Team>
RELUSIM_HD inline Evaluation<T> model_a_evaluate_team(Team& team, const ModelAParams& p,
                                                      std::uint32_t id, std::int64_t step,
                                                      const ModelAWorkspace<T>& ws, T ss) {
  const int d = p.d, rank = team.rank(), size = team.size();
  const bool need_l1 = p.regularizer == Regularizer::l1sq;
  const bool data = p.mode != DataMode::expected;
  const int ld = model_a_ld(p);
  int rows = p.n_samples;
  if (p.mode == DataMode::online) {
    rows = p.batch;
    model_a_draw_rows(team, p, id, StreamPurpose::minibatch,
                      static_cast<std::uint64_t>(step) * static_cast<std::uint64_t>(p.batch), rows,
                      ld, ws.x, ws.u, ws.w_star);
  }
  // Phase 1.
  T sums[5] = {T(0), T(0), T(0), T(0), T(0)};  // ww, ws, dd, l1, loss
  int counts[1] = {0};                         // active rows
  for (int j = rank; j < d; j += size) {
    const T wj = ws.w[j], a = wj - ws.target[j];
    sums[0] = hd::fma(wj, wj, sums[0]);
    sums[1] = hd::fma(wj, ws.w_star[j], sums[1]);
    sums[2] = hd::fma(a, a, sums[2]);
    if (need_l1) sums[3] += hd::fabs(wj);
  }
  if (data) {
    for (int i = rank; i < rows; i += size) {
      T z = T(0);
      for (int j = 0; j < d; ++j)
        z = hd::fma(ws.x[static_cast<std::int64_t>(j) * ld + i], ws.w[j], z);
      const T res = ws.u[i] - hd::relu(z);
      sums[4] = hd::fma(res, res, sums[4]);
      counts[0] += z > T(0) ? 1 : 0;
      ws.r[i] = z > T(0) ? res : T(0);
    }
  }
  team.reduce_sums(sums, counts);  // barrier 1
  Evaluation<T> e;
  e.norms.ww = sums[0];
  e.norms.ss = ss;
  e.norms.ws = sums[1];
  e.norms.dd = sums[2];
  e.norms.l1 = need_l1 ? sums[3] : T(0);
  const RegularizerTerm<T> rt{p.regularizer, static_cast<T>(regularizer_factor(p)), e.norms.l1};
  // Phase 2: each coordinate's data term (or expected one) into ws.delta by its owner.
  if (!data) {
    if (e.norms.ww > T(0)) {
      e.loss = expected_gradient(team, e.norms, ws.w, ws.w_star, d, ws.delta);
      e.active = 1;
    } else {  // the singularity at w = 0
      for (int j = rank; j < d; j += size)
        ws.delta[j] = T(0);
      e.loss = T(0.25) * ss;
      e.active = 0;
    }
  } else {
    const T inv_rows = T(1) / static_cast<T>(rows);
    e.loss = sums[4] * T(0.5) * inv_rows;
    e.active = counts[0];
    // `lanes` workers share a coordinate when d < size; neighbouring lanes read neighbouring
    // rows of a column (coalesced).
    const int lanes = hd::max(1, size / d);
    const int groups = size / lanes;
    const int lane = rank % lanes, group = rank / lanes;
    if (group < groups) {
      for (int j = group; j < d; j += groups) {
        const T* col = ws.x + static_cast<std::int64_t>(j) * ld;
        T acc = T(0);
        for (int i = lane; i < rows; i += lanes)
          acc = hd::fma(ws.r[i], col[i], acc);
        if (lanes == 1) {
          ws.delta[j] = acc * inv_rows;  // group == rank: the owner
        } else {
          ws.partial[j * lanes + lane] = acc;
        }
      }
    }
    if (lanes > 1) {
      team.sync();  // barrier 2 of 3: the lanes' partial sums
      for (int j = rank; j < d; j += size) {
        T acc = T(0);
        for (int l = 0; l < lanes; ++l)
          acc += ws.partial[j * lanes + l];
        ws.delta[j] = acc * inv_rows;
      }
    }
  }
  // The owner finishes Delta_j in a register (ws.delta keeps the data term), writes the next
  // weight and adds Delta_j^2.
  const T eta = static_cast<T>(p.eta);
  T g2 = T(0);
  for (int j = rank; j < d; j += size) {
    const T dj = delta_coordinate(ws.delta[j], ws.w[j], rt);
    ws.w_next[j] = hd::fma(eta, dj, ws.w[j]);
    g2 = hd::fma(dj, dj, g2);
  }
  e.gg = team.reduce_sum(g2);  // the last barrier
  return e;
}

/// The serial team's evaluation (model_a_evaluate).
template <class T, class Team>
RELUSIM_HD inline Evaluation<T> model_a_evaluate_serial(Team& team, const ModelAParams& p,
                                                        std::uint32_t id, std::int64_t step,
                                                        const ModelAWorkspace<T>& ws, T ss) {
  Evaluation<T> e;
  e.norms = state_norms(team, ws.w, ws.w_star, static_cast<const T*>(ws.target), p.d, ss,
                        p.regularizer == Regularizer::l1sq);
  const RegularizerTerm<T> rt{p.regularizer, static_cast<T>(regularizer_factor(p)), e.norms.l1};
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
                        rows, model_a_ld(p), ws.x, ws.u, ws.w_star);
      team.sync();
    }
    const int ld = model_a_ld(p);
#if RELUSIM_HOST_SIMD
    if constexpr (Team::is_serial) {
      if (p.d <= kFusedColumns) {  // the data term, Delta and |Delta|^2 in one pass
        const DataTerm<T> dt =
            fused_data_gradient_for(std::make_integer_sequence<int, kFusedColumns>{}, ws.x, ld,
                                    ws.u, rows, p.d, ws.w, ws.delta, rt, e.gg);
        e.loss = dt.loss;
        e.active = dt.active;
        return e;
      }
    }
#endif
    const DataTerm<T> dt =
        serial_data_gradient(ws.x, ld, ws.u, rows, p.d, ws.w, ws.delta, ws.r, ws.partial);
    e.loss = dt.loss;
    e.active = dt.active;
  }
  // Delta = the data term + factor * dR/dw, and |Delta|^2, coordinate by coordinate (each worker
  // reads only what it wrote).
  T g2 = T(0);
  for (int j = team.rank(); j < p.d; j += team.size()) {
    const T dj = delta_coordinate(ws.delta[j], ws.w[j], rt);
    ws.delta[j] = dj;
    g2 = hd::fma(dj, dj, g2);
  }
  e.gg = team.reduce_sum(g2);
  return e;
}

/// Evaluates Delta(ws.w) for step `step` (online mode draws its minibatch here): the serial
/// team into ws.delta, a team into the next weights ws.w_next (model_a_evaluate_team; its
/// ws.delta keeps only the data term).
/// `ss` is ||w*||^2; the norms include the squared distance to ws.target.
template <class T, class Team>
RELUSIM_HD inline Evaluation<T> model_a_evaluate(Team& team, const ModelAParams& p,
                                                 std::uint32_t id, std::int64_t step,
                                                 const ModelAWorkspace<T>& ws, T ss) {
  if constexpr (Team::is_serial) {
    return model_a_evaluate_serial(team, p, id, step, ws, ss);
  } else {
    return model_a_evaluate_team(team, p, id, step, ws, ss);
  }
}

}  // namespace relusim
