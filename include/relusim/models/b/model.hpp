// Model B behind the seam (engine/model.hpp): g(x; W) = sum_j a_j relu(w_j . x), a student of K
// units and a teacher of K_teacher (Kt) units, each with fixed top weights (MODEL.md §2, §2.1;
// Tian §4; docs/model.md for unequal widths). Single-source over a
// Team: the CPU and the CUDA backend run exactly these members, with the same Philox streams.
//
// One evaluation: (1) pair pass: w_j . w*_k, |w_j - w*_k|^2, |w_j|^2 (and w_j . w_j' in expected
// mode); (2) the update direction: the data term over the rows of the fixed design or a fresh
// minibatch, or the expected update of Tian (12)-(13) with top weights; (3) the matching of
// student units to their nearest teacher units (success up to permutation, MODEL.md §2.1).
// Over 500 lines: the whole of Model B's step (pair pass, three data modes, classification),
// single-source for every backend; split, one algorithm would live in several headers.
#pragma once

#include <cstdint>

#include "relusim/core/hd.hpp"
#include "relusim/core/host_simd.hpp"
#include "relusim/core/random.hpp"
#include "relusim/core/team.hpp"
#include "relusim/engine/launch_rule.hpp"
#include "relusim/engine/perf_model.hpp"
#include "relusim/engine/record.hpp"
#include "relusim/models/b/types.hpp"

namespace relusim {

namespace model_b {

template <class T>
RELUSIM_HD inline T dot(const T* a, const T* b, int n) {
  T s = T(0);
  for (int k = 0; k < n; ++k)
    s = hd::fma(a[k], b[k], s);
  return s;
}

/// The teacher W* of trajectory `id` (one worker).
template <class T>
RELUSIM_HD inline void teacher(const ModelBParams& p, std::uint32_t id, T* ws) {
  const int K = p.K_teacher, d = p.d;
  switch (p.teacher) {
    case TeacherKind::explicit_vector:
      for (int e = 0; e < K * d; ++e)
        ws[e] = static_cast<T>(p.teacher_matrix[e]);
      break;
    case TeacherKind::random:
      for (int j = 0; j < K; ++j) {
        fill_random_row(p.seed, id, StreamPurpose::teacher, static_cast<std::uint64_t>(j),
                        InputDistribution::gaussian, d, ws + j * d);
        normalize_to(ws + j * d, d, p.teacher_norm);
      }
      break;
    case TeacherKind::random_orthonormal:
      // Gaussian rows, then modified Gram-Schmidt (d >= K: almost surely independent).
      for (int j = 0; j < K; ++j) {
        T* r = ws + j * d;
        fill_random_row(p.seed, id, StreamPurpose::teacher, static_cast<std::uint64_t>(j),
                        InputDistribution::gaussian, d, r);
        for (const T* q = ws; q != r; q += d) {  // the rows before r
          double c = 0.0;
          for (int k = 0; k < d; ++k)
            c = hd::fma(static_cast<double>(r[k]), static_cast<double>(q[k]), c);
          for (int k = 0; k < d; ++k)
            r[k] =
                static_cast<T>(hd::fma(-c, static_cast<double>(q[k]), static_cast<double>(r[k])));
        }
        normalize_to(r, d, 1.0);
      }
      break;
    default:  // orthonormal: the first Kt standard basis vectors
      for (int j = 0; j < K; ++j)
        for (int k = 0; k < d; ++k)
          ws[j * d + k] = T(k == j ? 1 : 0);
      break;
  }
}

/// The initial student W of trajectory `id` (one worker; the teacher is already in w_star). The
/// symmetric and noise inits are built from the teacher's rows: they need K = Kt (validated).
template <class T>
RELUSIM_HD inline void init(const ModelBParams& p, std::uint32_t id, const T* w_star, T* w) {
  const int K = p.K, d = p.d;
  switch (p.init) {
    case InitKind::explicit_vector:
      for (int e = 0; e < K * d; ++e)
        w[e] = static_cast<T>(p.init_matrix[e]);
      break;
    case InitKind::zero:
      for (int e = 0; e < K * d; ++e)
        w[e] = T(0);
      break;
    case InitKind::symmetric:
      // w_j = x w*_j + y sum_{j' != j} w*_j' (Tian Thm 4.1).
      for (int j = 0; j < K; ++j)
        for (int k = 0; k < d; ++k) {
          double s = 0.0;
          for (int i = 0; i < K; ++i)
            s = hd::fma(i == j ? p.init_x : p.init_y, static_cast<double>(w_star[i * d + k]), s);
          w[j * d + k] = static_cast<T>(s);
        }
      break;
    case InitKind::noise:
      // 1e-3 W* + E, E_jk ~ N(0, sigma^2) (Tian Fig. 5, MODEL.md §2.1).
      for (int j = 0; j < K; ++j) {
        fill_random_row(p.seed, id, StreamPurpose::init, static_cast<std::uint64_t>(j),
                        InputDistribution::gaussian, d, w + j * d);
        for (int k = 0; k < d; ++k)
          w[j * d + k] = static_cast<T>(hd::fma(1e-3, static_cast<double>(w_star[j * d + k]),
                                                p.noise_sigma * static_cast<double>(w[j * d + k])));
      }
      break;
    case InitKind::ball:
      // Each row uniform in the ball of radius init_radius: uniform direction, radius r U^(1/d).
      for (int j = 0; j < K; ++j) {
        fill_random_row(p.seed, id, StreamPurpose::init, static_cast<std::uint64_t>(j),
                        InputDistribution::gaussian, d, w + j * d);
        const double u = uniform_pair(PhiloxAddress{p.seed, id, StreamPurpose::init,
                                                    static_cast<std::uint64_t>(K + j), 0})
                             .x;
        normalize_to(w + j * d, d, p.init_radius * hd::pow(u, 1.0 / d));
      }
      break;
    default:  // gaussian
      for (int j = 0; j < K; ++j) {
        fill_random_row(p.seed, id, StreamPurpose::init, static_cast<std::uint64_t>(j),
                        InputDistribution::gaussian, d, w + j * d);
        for (int k = 0; k < d; ++k)
          w[j * d + k] = static_cast<T>(p.init_sigma * static_cast<double>(w[j * d + k]));
      }
      break;
  }
}

/// Draws `rows` samples of stream `purpose` from `first_row` into the column-major x, and
/// u = g(x; W*); rows rows..ld of both are zero.
template <class T, class Team>
RELUSIM_HD inline void draw_rows(Team& team, const ModelBParams& p, std::uint32_t id,
                                 StreamPurpose purpose, std::uint64_t first_row, int rows,
                                 const ModelBWorkspace<T>& ws) {
  const int ld = model_b_ld(p), d = p.d;
  const int i0 = team.rank(), step = Team::is_serial ? 1 : team.size();
  fill_random_columns(p.seed, id, purpose, first_row, i0, step, rows, p.inputs, d, ws.x,
                      static_cast<std::int64_t>(ld));
  for (int i = i0; i < ld; i += step) {
    T u = T(0);
    if (i < rows) {
      for (int j = 0; j < p.K_teacher; ++j) {
        const T* sj = ws.w_star + j * d;
        T z = T(0);
        for (int k = 0; k < d; ++k)
          z = hd::fma(ws.x[static_cast<std::int64_t>(k) * ld + i], sj[k], z);
        u += ws.at[j] * hd::relu(z);
      }
    } else {
      for (int k = 0; k < d; ++k)
        ws.x[static_cast<std::int64_t>(k) * ld + i] = T(0);
    }
    ws.u[i] = u;
  }
}

/// E[relu(u . x) relu(v . x)] for x ~ N(0, I) from the norms, the cosine and the angle:
/// |u||v| (sin t + (pi - t) cos t) / (2 pi).
template <class T>
RELUSIM_HD inline T relu_moment(T nu, T nv, T c, T t) {
  return nu * nv * (hd::sqrt(hd::max(T(0), hd::fma(-c, c, T(1)))) + (T(hd::kPi) - t) * c) /
         T(2.0 * hd::kPi);
}

/// A cosine from a dot product and two norms, clamped to [-1, 1] against rounding.
template <class T>
RELUSIM_HD inline T clamped_cos(T dot_uv, T nu, T nv) {
  return hd::max(T(-1), hd::min(T(1), dot_uv / (nu * nv)));
}

/// sum_{j,q} at_j at_q E[relu(w*_j . x) relu(w*_q . x)] = E[g(x; W*)^2] for x ~ N(0, I): the
/// constant part of the loss and the teacher's output power (the loss criterion's scale).
template <class T, class Team>
RELUSIM_HD inline T teacher_moment(Team& team, const ModelBParams& p,
                                   const ModelBWorkspace<T>& ws) {
  const int K = p.K_teacher;
  T s = T(0);
  for (int t = team.rank(); t < K * K; t += team.size()) {
    const int j = t / K, q = t % K;
    const T tj = hd::sqrt(ws.tss[j]), tq = hd::sqrt(ws.tss[q]);
    const T c = clamped_cos(ws.tgram[t], tj, tq);
    s += ws.at[j] * ws.at[q] * relu_moment(tj, tq, c, hd::acos(c));
  }
  return team.reduce_sum(s);
}

#if RELUSIM_HOST_SIMD
/// The serial host step's data term over the column-major design, in whole 64-byte vectors of
/// rows: (1) per vector of rows, z_j = X w_j for every unit (into rm), the output, the residual,
/// the loss and the active lanes, then rm_j = a_j 1[z_j > 0] r; (2) per coordinate (j, k), the
/// dot product of rm_j with column k in four vectors of partial sums. The order of every sum is
/// the source's (lane l of a vector takes rows l, l + W, ...; the lanes fold pairwise), whatever
/// the ISA. The padding rows add exact zeros.
template <class T>
inline T serial_data_gradient(const ModelBParams& p, int rows, const ModelBWorkspace<T>& ws) {
  using V = simd::Vec<T>;
  constexpr int L = simd::kWidth<T>, W = 4 * L;
  const int K = p.K, d = p.d, ld = model_b_ld(p);
  const T inv_rows = T(1) / static_cast<T>(rows);
  for (int j = 0; j < K; ++j)  // the first K vectors of act: active lanes per unit
    simd::store(ws.act + j * L, V{});
  V loss = {};
  const V one = simd::splat(T(1));
  for (int c = 0; c < ld; c += L) {
    V v = {};
    for (int j = 0; j < K; ++j) {
      const T* wj = ws.w + j * d;
      V z = {};
      for (int k = 0; k < d; ++k)
        z = simd::fma(simd::load(ws.x + static_cast<std::int64_t>(k) * ld + c), wj[k], z);
      simd::store(ws.rm + static_cast<std::int64_t>(j) * ld + c, z);
      v = simd::fma(ws.a[j], simd::where_positive(z, z), v);
    }
    const V res = simd::load(ws.u + c) - v;
    loss = simd::fma(res, res, loss);
    for (int j = 0; j < K; ++j) {
      T* rmj = ws.rm + static_cast<std::int64_t>(j) * ld + c;
      const V z = simd::load(rmj);
      simd::store(ws.act + j * L, simd::load(ws.act + j * L) + simd::where_positive(z, one));
      simd::store(rmj, simd::where_positive(z, ws.a[j] * res));
    }
  }
  const int full = ld / W * W;
  for (int j = 0; j < K; ++j) {
    const T* rmj = ws.rm + static_cast<std::int64_t>(j) * ld;
    for (int k = 0; k < d; ++k) {
      const T* xk = ws.x + static_cast<std::int64_t>(k) * ld;
      V a0 = {}, a1 = {}, a2 = {}, a3 = {};
      for (int c = 0; c < full; c += W) {
        a0 = simd::fma(simd::load(rmj + c), simd::load(xk + c), a0);
        a1 = simd::fma(simd::load(rmj + c + L), simd::load(xk + c + L), a1);
        a2 = simd::fma(simd::load(rmj + c + 2 * L), simd::load(xk + c + 2 * L), a2);
        a3 = simd::fma(simd::load(rmj + c + 3 * L), simd::load(xk + c + 3 * L), a3);
      }
      V* banks[4] = {&a0, &a1, &a2, &a3};
      for (int c = full, b = 0; c < ld; c += L, ++b)  // the last < W rows: a vector per bank
        *banks[b] = simd::fma(simd::load(rmj + c), simd::load(xk + c), *banks[b]);
      ws.delta[j * d + k] = simd::sum((a0 + a2) + (a1 + a3)) * inv_rows;
    }
    ws.active[j] = simd::sum(simd::load(ws.act + j * L));
  }
  return simd::sum(loss) * T(0.5) * inv_rows;
}
#endif

/// Unit j's coefficients of the expected update of Tian (12)-(13) with top weights (MODEL.md
/// §2): coef_s, coef_w (row j) and h_j; returns unit j's part of the population loss. Needs the
/// pair pass (dots, gram, ww, tss). A unit with w_j = 0 never fires: its update is 0.
template <class T>
RELUSIM_HD inline T expected_unit(const ModelBParams& p, const ModelBWorkspace<T>& ws, int j) {
  const int K = p.K, Kt = p.K_teacher, n = hd::max(K, Kt);
  const T inv_2pi = T(1.0 / (2.0 * hd::kPi));
  const T pi = T(hd::kPi);
  const T nj = hd::sqrt(ws.ww[j]);
  T hsum = T(0), lj = T(0);
  // Teacher unit q then student unit q, for q up to the wider of the two: with equal widths the
  // sums run in the order of the shared-weights code.
  for (int q = 0; q < n; ++q) {
    if (q < Kt) {
      const T ts = hd::sqrt(ws.tss[q]);
      const T aa = ws.a[j] * ws.at[q];
      T cs = T(0);
      if (nj > T(0)) {
        // Student j against teacher q: sin(theta) as sqrt(1 - cos^2), one acos per angle.
        const T c_s = clamped_cos(ws.dots[j * Kt + q], nj, ts);
        const T th_s = hd::acos(c_s);
        cs = aa * (pi - th_s) * inv_2pi;
        hsum = hd::fma(ws.at[q] * ts, hd::sqrt(hd::max(T(0), hd::fma(-c_s, c_s, T(1)))), hsum);
        lj = hd::fma(-(T(2) * aa), relu_moment(nj, ts, c_s, th_s), lj);
      }
      ws.coef_s[j * Kt + q] = cs;
    }
    if (q < K) {
      const T nq = hd::sqrt(ws.ww[q]);
      const T aa = ws.a[j] * ws.a[q];
      T cw = T(0);
      if (nj > T(0) && nq > T(0)) {
        const T c_w = clamped_cos(ws.gram[j * K + q], nj, nq);
        const T th = hd::acos(c_w);
        cw = aa * (pi - th) * inv_2pi;
        hsum = hd::fma(-(ws.a[q] * nq), hd::sqrt(hd::max(T(0), hd::fma(-c_w, c_w, T(1)))), hsum);
        lj = hd::fma(aa, relu_moment(nj, nq, c_w, th), lj);
      }
      ws.coef_w[j * K + q] = cw;
    }
  }
  ws.h[j] = nj > T(0) ? ws.a[j] * hsum * inv_2pi / nj : T(0);
  return lj;
}

/// Coordinate t = (j, k) of the expected update, from every unit's coefficients.
template <class T>
RELUSIM_HD inline T expected_delta(const ModelBParams& p, const ModelBWorkspace<T>& ws, int t) {
  const int K = p.K, Kt = p.K_teacher, d = p.d, j = t / d, k = t % d;
  T g = ws.h[j] * ws.w[t];
  for (int q = 0; q < hd::max(K, Kt); ++q) {  // with K = Kt the shared-weights code's sums
    const T cs = q < Kt ? ws.coef_s[j * Kt + q] : T(0);
    const T sq = q < Kt ? ws.w_star[q * d + k] : T(0);
    const T wq = q < K ? ws.coef_w[j * K + q] * ws.w[q * d + k] : T(0);
    g += hd::fma(cs, sq, -wq);
  }
  return g;
}

/// The population loss 1/2 E[(g(x; W*) - g(x; W))^2] (MODEL.md §2) from the units' parts, >= 0:
/// at the teacher the terms cancel and rounding may leave a few ulps below zero.
template <class T>
RELUSIM_HD inline T expected_loss(T teacher_term, T units) {
  return hd::max(T(0), T(0.5) * (teacher_term + units));
}

/// The expected update into ws.delta and the population loss (the serial team's order).
template <class T, class Team>
RELUSIM_HD inline T expected_gradient(Team& team, const ModelBParams& p,
                                      const ModelBWorkspace<T>& ws, T teacher_term) {
  T loss = T(0);
  for (int j = team.rank(); j < p.K; j += team.size())
    loss += expected_unit(p, ws, j);
  loss = team.reduce_sum(loss);
  team.sync();
  for (int t = team.rank(); t < p.K * p.d; t += team.size())
    ws.delta[t] = expected_delta(p, ws, t);
  team.sync();
  return expected_loss(teacher_term, loss);
}

/// The pair pass at the current W: |w_j|^2, w_j . w*_q, |w_j - w*_q|^2 and (expected mode)
/// w_j . w_q, strided over the team.
template <class T, class Team>
RELUSIM_HD inline void pair_pass(Team& team, const ModelBParams& p, const ModelBWorkspace<T>& ws,
                                 bool expected) {
  const int K = p.K, Kt = p.K_teacher, d = p.d, kt = K * Kt;
  const int pair_tasks = K + 2 * kt + (expected ? K * K : 0);
  for (int task = team.rank(); task < pair_tasks; task += team.size()) {
    if (task < K) {
      ws.ww[task] = dot(ws.w + task * d, ws.w + task * d, d);
      continue;
    }
    const int r = task - K;
    if (r < 2 * kt) {  // student j against teacher q
      const int pair = r % kt, j = pair / Kt, q = pair % Kt;
      const T* wj = ws.w + j * d;
      const T* sq = ws.w_star + q * d;
      if (r < kt) {
        ws.dots[pair] = dot(wj, sq, d);
      } else {
        T s = T(0);
        for (int k = 0; k < d; ++k)
          s = hd::fma(wj[k] - sq[k], wj[k] - sq[k], s);
        ws.dist[pair] = s;
      }
    } else {  // student j against student q
      const int pair = r - 2 * kt, j = pair / K, q = pair % K;
      ws.gram[pair] = dot(ws.w + j * d, ws.w + q * d, d);
    }
  }
}

/// The nearest teacher unit of student unit j (relative squared distance) into match, mdist.
template <class T>
RELUSIM_HD inline void nearest_teacher(const ModelBParams& p, const ModelBWorkspace<T>& ws, int j) {
  const int Kt = p.K_teacher;
  int best = 0;
  T best_d = ws.dist[j * Kt] / ws.tss[0];
  for (int q = 1; q < Kt; ++q) {
    const T r = ws.dist[j * Kt + q] / ws.tss[q];
    if (r < best_d) {
      best_d = r;
      best = q;
    }
  }
  ws.match[j] = static_cast<T>(best);
  ws.mdist[j] = best_d;
}

/// Unit j's part of the step's census: `bad` gets 1 if it is not matched within the criterion
/// (or matched twice) and K + 1 if it is not one-to-one within sqrt(stuck_tol) of its teacher
/// unit (both count units, 0..K: packed into one sum), `dead` 1 if it cannot move again
/// (`active`: its active samples), `ww` its |w_j|^2. Needs every unit's match.
template <class T>
RELUSIM_HD inline void unit_status(const ModelBParams& p, const ModelBWorkspace<T>& ws, int j,
                                   T active, int& bad, int& dead, T& ww) {
  const int K = p.K;
  bool twice = false;
  for (int q = 0; q < j; ++q)
    twice = twice || ws.match[q] == ws.match[j];
  const int m = static_cast<int>(ws.match[j]);
  bool ok = true;
  if (p.criterion == Criterion::distance) {
    ok = ws.mdist[j] < static_cast<T>(p.tol * p.tol);
  } else if (p.criterion == Criterion::angle) {
    const T cos_tol = static_cast<T>(hd::cos(p.tol));
    ok = ws.ww[j] > T(0) && ws.dots[j * p.K_teacher + m] > cos_tol * hd::sqrt(ws.ww[j] * ws.tss[m]);
  }
  bad += (twice || !ok) ? 1 : 0;
  bad += (twice || !(ws.mdist[j] < static_cast<T>(p.stuck_tol))) ? K + 1 : 0;
  const bool unit_dead = p.mode == DataMode::fixed ? active == T(0) : ws.ww[j] == T(0);
  dead += unit_dead ? 1 : 0;
  ww += ws.ww[j];
}

/// Phase 1 of the team's data term over this worker's rows: the units' preactivations, the
/// residual, the masked residuals rm_j = a_j 1[z_j > 0] r and the activity act_j; returns the
/// worker's sum of squared residuals.
template <class T, class Team>
RELUSIM_HD inline T data_rows(Team& team, const ModelBParams& p, int rows,
                              const ModelBWorkspace<T>& ws) {
  const int K = p.K, d = p.d, ld = model_b_ld(p);
  T loss = T(0);
  for (int i = team.rank(); i < rows; i += team.size()) {
    T v = T(0);
    for (int j = 0; j < K; ++j) {
      const T* wj = ws.w + j * d;
      T z = T(0);
      for (int k = 0; k < d; ++k)
        z = hd::fma(ws.x[static_cast<std::int64_t>(k) * ld + i], wj[k], z);
      ws.rm[static_cast<std::int64_t>(j) * ld + i] = z;
      v += ws.a[j] * hd::relu(z);
    }
    const T res = ws.u[i] - v;
    loss = hd::fma(res, res, loss);
    for (int j = 0; j < K; ++j) {
      T& rm = ws.rm[static_cast<std::int64_t>(j) * ld + i];
      const bool on = rm > T(0);
      ws.act[static_cast<std::int64_t>(j) * ld + i] = on ? T(1) : T(0);
      rm = on ? ws.a[j] * res : T(0);
    }
  }
  return loss;
}

/// Phase 2 of the team's data term: K d coordinates of RM^T X / rows, then K activity counts;
/// `lanes` workers share a task when there are fewer tasks than workers (neighbouring lanes
/// read neighbouring rows) and write partial sums; with one lane, task t's worker (t mod size)
/// writes delta or active itself. Returns the lanes.
template <class T, class Team>
RELUSIM_HD inline int data_columns(Team& team, const ModelBParams& p, int rows,
                                   const ModelBWorkspace<T>& ws) {
  const int K = p.K, d = p.d, kd = K * d, ld = model_b_ld(p);
  const T inv_rows = T(1) / static_cast<T>(rows);
  const int tasks = kd + K;
  const int lanes = hd::max(1, team.size() / tasks);
  const int groups = team.size() / lanes;
  const int lane = team.rank() % lanes, group = team.rank() / lanes;
  if (group < groups) {
    for (int t = group; t < tasks; t += groups) {
      T acc = T(0);
      if (t < kd) {
        const T* rmj = ws.rm + static_cast<std::int64_t>(t / d) * ld;
        const T* xk = ws.x + static_cast<std::int64_t>(t % d) * ld;
        for (int i = lane; i < rows; i += lanes)
          acc += rmj[i] * xk[i];
      } else {
        const T* actj = ws.act + static_cast<std::int64_t>(t - kd) * ld;
        for (int i = lane; i < rows; i += lanes)
          acc += actj[i];
      }
      if (lanes == 1) {
        if (t < kd) {
          ws.delta[t] = acc * inv_rows;
        } else {
          ws.active[t - kd] = acc;
        }
      } else {
        ws.partial[t * lanes + lane] = acc;
      }
    }
  }
  return lanes;
}

/// Task t's lanes added in order (data_columns with several lanes).
template <class T>
RELUSIM_HD inline T lane_sum(const ModelBWorkspace<T>& ws, int t, int lanes) {
  T acc = T(0);
  for (int l = 0; l < lanes; ++l)
    acc += ws.partial[t * lanes + l];
  return acc;
}

/// The data term: delta = (1/rows) sum_i a_j 1[z_ij > 0] r_i x_i per unit, r = u - g(x; W);
/// returns the data loss; ws.active holds the active samples per unit (the serial team's path).
template <class T, class Team>
RELUSIM_HD inline T data_gradient(Team& team, const ModelBParams& p, int rows,
                                  const ModelBWorkspace<T>& ws) {
#if RELUSIM_HOST_SIMD
  if constexpr (Team::is_serial) return serial_data_gradient(p, rows, ws);
#endif
  const int kd = p.K * p.d;
  const T inv_rows = T(1) / static_cast<T>(rows);
  T loss = team.reduce_sum(data_rows(team, p, rows, ws));
  team.sync();
  const int lanes = data_columns(team, p, rows, ws);
  team.sync();
  if (lanes > 1) {
    for (int t = team.rank(); t < kd + p.K; t += team.size()) {
      const T acc = lane_sum(ws, t, lanes);
      if (t < kd) {
        ws.delta[t] = acc * inv_rows;
      } else {
        ws.active[t - kd] = acc;
      }
    }
    team.sync();
  }
  return loss * T(0.5) * inv_rows;
}

}  // namespace model_b

struct ModelB {
  static constexpr const char* kName = "B";
  /// Threads per SM the CUDA kernel's register budget allows (kernels/engine/runner.cuh).
  static constexpr int kResidentThreads = 384;

  using Params = ModelBParams;
  template <class T>
  using Workspace = ModelBWorkspace<T>;
  using Aux = NoAux;

  template <class T>
  struct Start {
    T ss;  ///< |W*|_F^2
    /// sum_{j,q} at_j at_q E[relu(w*_j . x) relu(w*_q . x)] = E[g(x; W*)^2], the teacher's
    /// output power: the expected loss's constant part and the loss criterion's scale
    T teacher_term;
  };
  template <class T>
  struct Eval {
    T loss;          ///< data loss (population loss in expected mode)
    T gg;            ///< |Delta|_F^2
    T ww;            ///< |W|_F^2
    int bad;         ///< units not matched within the criterion (or matched twice)
    int far;         ///< units not one-to-one within sqrt(stuck_tol) of their teacher unit
    int dead_units;  ///< units that cannot move again
  };

  enum Slot : int {
    kLoss = 0,
    kMatchedDistance = 1,  ///< max over units of |w_j - w*_pi(j)| / |w*_pi(j)|, nearest pi
    kDeadUnits = 2,
    kGradNorm = 3,
    kX = 4,  ///< mean w_j . w*_j / |w*_j|^2: the symmetric structure's x (orthonormal teachers)
    kY = 5,  ///< mean w_j . w*_k / |w*_k|^2 over k != j: its y
    kWeightNorm = 6,  ///< |W|_F
    /// the smallest eigenvalue of the population loss's Hessian at a stuck point (expected
    /// mode; set on the host after the run, models/b/curvature.hpp), else NaN
    kMinEigenvalue = 7,
    /// How the student's units ended (describe): on a teacher unit's direction alone (matched)
    /// or with others (split); dead units are kDeadUnits.
    kUnitsMatched = 8,
    kUnitsSplit = 9,
  };
  enum Flag : int {
    kMatched = 0,  ///< nearest teacher units form a permutation
    // A stuck point's curvature (expected mode, set on the host after the run): at most one.
    kLocalMin = 1,
    kSaddlePoint = 2,
    kFlat = 3,
  };

  RELUSIM_HD static std::int64_t workspace_size(const Params& p, int team_size) {
    return model_b_workspace_size(p, team_size);
  }
  template <class T>
  RELUSIM_HD static Workspace<T> carve(const Params& p, int team_size, T* scratch) {
    return model_b_workspace<T>(p, team_size, scratch);
  }
  RELUSIM_HD static int parallel_work(const Params& p) {
    const int rows = model_b_rows(p);
    return rows > 0 ? (rows + 1) / 2 : (p.K * p.d + 1) / 2;
  }
  /// What a step costs on a block of `block` threads (engine/perf_model.hpp; host code): the
  /// data term's multiply-adds split over the rows with the pair pass, or in expected mode the
  /// pair pass and the update split over their tasks and each unit's angles on its worker;
  /// evaluate_team's three barriers and one reduction of five values.
  static StepCost step_cost(const Params& p, int block, bool fp64) {
    StepCost c;
    const int K = p.K, Kt = p.K_teacher, d = p.d, rows = model_b_rows(p);
    const double pair = (K + 2.0 * K * Kt) * d;
    const int units_per_worker = (K + block - 1) / block;
    if (p.mode == DataMode::expected) {
      c.split_fmas = pair + K * K * d + (K + Kt) * K * d;
      c.split_width = K + 2 * K * Kt + K * K;
      c.serial_ops = units_per_worker * K * 150.0;  // two angles, square roots per pair
    } else {
      c.split_fmas = 2.0 * rows * K * d + rows * K + pair;  // the teacher's outputs: drawn rows
      c.split_width = rows;
      c.serial_ops = units_per_worker * 3.0 * K;
    }
    c.barriers = 3;
    c.reductions = 1;
    c.values_per_reduction = 5;
    c.fp64 = fp64;
    c.registers = register_cap(kResidentThreads, block);
    const int word = fp64 ? 8 : 4;  // X twice, the masked residuals and activity once each
    place_workspace(c, workspace_size(p, block) * word, (2.0 * rows * d + 2.0 * rows * K) * word);
    return c;
  }
  RELUSIM_HD static int weight_count(const Params& p) { return p.K * p.d; }
  template <class T>
  RELUSIM_HD static const T* weights(const Workspace<T>& ws) {
    return ws.w;
  }
  RELUSIM_HD static int prepared_doubles(const Params&) { return 0; }

  template <class T, class Team>
  RELUSIM_HD static void setup(Team& team, const Params& p, std::uint32_t id,
                               const Workspace<T>& ws) {
    if (team.rank() == 0) {
      for (int j = 0; j < p.K; ++j)
        ws.a[j] = p.top_weights != nullptr ? static_cast<T>(p.top_weights[j]) : T(1);
      for (int j = 0; j < p.K_teacher; ++j)
        ws.at[j] =
            p.teacher_top_weights != nullptr ? static_cast<T>(p.teacher_top_weights[j]) : T(1);
      model_b::teacher(p, id, ws.w_star);
      model_b::init(p, id, ws.w_star, ws.w);
    }
    team.sync();
    if (p.mode == DataMode::fixed)
      model_b::draw_rows(team, p, id, StreamPurpose::design, 0, p.n_samples, ws);
    team.sync();
  }

  template <class T, class Team>
  RELUSIM_HD static void load_prepared(Team&, const Params&, const Workspace<T>&, const double*) {}

  template <class T, class Team>
  RELUSIM_HD static Start<T> begin(Team& team, const Params& p, const Workspace<T>& ws,
                                   TrajectoryRecord&) {
    const int K = p.K_teacher, d = p.d;
    for (int t = team.rank(); t < K + K * K; t += team.size()) {
      if (t < K) {
        ws.tss[t] = model_b::dot(ws.w_star + t * d, ws.w_star + t * d, d);
      } else {
        const int j = (t - K) / K, q = (t - K) % K;
        ws.tgram[j * K + q] = model_b::dot(ws.w_star + j * d, ws.w_star + q * d, d);
      }
    }
    team.sync();
    T ss = T(0);
    for (int j = team.rank(); j < K; j += team.size())
      ss += ws.tss[j];
    Start<T> s;
    s.ss = team.reduce_sum(ss);
    s.teacher_term = model_b::teacher_moment(team, p, ws);
    return s;
  }

  /// One evaluation: the serial team's order, or the team's three barrier rounds
  /// (evaluate_team).
  template <class T, class Team>
  RELUSIM_HD static Eval<T> evaluate(Team& team, const Params& p, std::uint32_t id, std::int64_t t,
                                     const Workspace<T>& ws, const Start<T>& start) {
    if constexpr (Team::is_serial) {
      return evaluate_serial(team, p, id, t, ws, start);
    } else {
      return evaluate_team(team, p, id, t, ws, start);
    }
  }

  template <class T, class Team>
  RELUSIM_HD static Eval<T> evaluate_serial(Team& team, const Params& p, std::uint32_t id,
                                            std::int64_t t, const Workspace<T>& ws,
                                            const Start<T>& start) {
    const int K = p.K, d = p.d;
    const bool expected = p.mode == DataMode::expected;
    // (1) Pair pass.
    model_b::pair_pass(team, p, ws, expected);
    team.sync();
    // (2) The update direction.
    Eval<T> e;
    if (expected) {
      e.loss = model_b::expected_gradient(team, p, ws, start.teacher_term);
    } else {
      int rows = p.n_samples;
      if (p.mode == DataMode::online) {
        rows = p.batch;
        model_b::draw_rows(team, p, id, StreamPurpose::minibatch,
                           static_cast<std::uint64_t>(t) * static_cast<std::uint64_t>(p.batch),
                           rows, ws);
        team.sync();
      }
      e.loss = model_b::data_gradient(team, p, rows, ws);
    }
    // (3) Nearest teacher unit of each student unit.
    for (int j = team.rank(); j < K; j += team.size())
      model_b::nearest_teacher(p, ws, j);
    team.sync();
    int bad = 0, dead = 0;
    T ww = T(0), gg = T(0);
    for (int j = team.rank(); j < K; j += team.size())
      model_b::unit_status(p, ws, j, ws.active[j], bad, dead, ww);
    for (int q = team.rank(); q < K * d; q += team.size())
      gg = hd::fma(ws.delta[q], ws.delta[q], gg);
    const int bad_far = team.reduce_sum(bad);
    e.bad = bad_far % (K + 1);
    e.far = bad_far / (K + 1);
    e.dead_units = team.reduce_sum(dead);
    e.ww = team.reduce_sum(ww);
    e.gg = team.reduce_sum(gg);
    return e;
  }

  /// The team's evaluation in three barrier rounds, writing the next weights ws.w_next (apply
  /// swaps them in):
  ///   phase 1 (reads W): the pair pass and, in fixed and online mode, phase 1 of the data term
  ///     over this worker's rows (online: rows it has just drawn itself); barrier;
  ///   phase 2: the expected update's coefficients per unit (expected mode) or RM^T X (data),
  ///     and each unit's nearest teacher unit; barrier;
  ///   phase 3: each coordinate's Delta (adding the lanes' partial sums), next weight and
  ///     Delta^2; each unit's status; one fused reduction of (loss, |W|^2, |Delta|^2; bad,
  ///     dead) is the last barrier.
  /// Between one step's reads of a buffer and the next step's writes to it there is always a
  /// barrier.
  template <class T, class Team>
  RELUSIM_HD static Eval<T> evaluate_team(Team& team, const Params& p, std::uint32_t id,
                                          std::int64_t t, const Workspace<T>& ws,
                                          const Start<T>& start) {
    const int K = p.K, kd = K * p.d, rank = team.rank(), size = team.size();
    const bool expected = p.mode == DataMode::expected;
    int rows = p.n_samples;
    if (p.mode == DataMode::online) {
      rows = p.batch;
      model_b::draw_rows(team, p, id, StreamPurpose::minibatch,
                         static_cast<std::uint64_t>(t) * static_cast<std::uint64_t>(p.batch), rows,
                         ws);
    }
    model_b::pair_pass(team, p, ws, expected);
    T sums[3] = {T(0), T(0), T(0)};  // loss, |W|^2, |Delta|^2
    int counts[2] = {0, 0};          // bad (packed with far), dead
    if (!expected) sums[0] = model_b::data_rows(team, p, rows, ws);
    team.sync();  // barrier 1
    int lanes = 1;
    if (expected) {
      for (int j = rank; j < K; j += size)
        sums[0] += model_b::expected_unit(p, ws, j);
    } else {
      lanes = model_b::data_columns(team, p, rows, ws);
    }
    for (int j = rank; j < K; j += size)
      model_b::nearest_teacher(p, ws, j);
    team.sync();  // barrier 2
    const T inv_rows = expected ? T(1) : T(1) / static_cast<T>(rows);
    const T eta = static_cast<T>(p.eta);
    for (int q = rank; q < kd; q += size) {
      T dq;
      if (expected) {
        dq = model_b::expected_delta(p, ws, q);
      } else {
        dq = lanes > 1 ? model_b::lane_sum(ws, q, lanes) * inv_rows : ws.delta[q];
      }
      ws.w_next[q] = hd::fma(eta, dq, ws.w[q]);  // Delta stays in a register
      sums[2] = hd::fma(dq, dq, sums[2]);
    }
    for (int j = rank; j < K; j += size) {
      const T active = !expected && lanes > 1 ? model_b::lane_sum(ws, kd + j, lanes) : ws.active[j];
      // Kept for describe (unit fates): only this rank touches entry j until the next step's
      // phase 2, which follows this step's last barrier.
      if (!expected && lanes > 1) ws.active[j] = active;
      model_b::unit_status(p, ws, j, active, counts[0], counts[1], sums[1]);
    }
    team.reduce_sums(sums, counts);  // barrier 3
    Eval<T> e;
    e.loss = expected ? model_b::expected_loss(start.teacher_term, sums[0])
                      : sums[0] * T(0.5) * inv_rows;
    e.ww = sums[1];
    e.gg = sums[2];
    e.bad = counts[0] % (K + 1);
    e.far = counts[0] / (K + 1);
    e.dead_units = counts[1];
    return e;
  }

  template <class T>
  RELUSIM_HD static StepStatus classify(const Params& p, const Start<T>& s, const Eval<T>& e) {
    StepStatus st;
    const double ssd = static_cast<double>(s.ss);
    // Whatever blowup says, a non-finite state, loss or gradient has diverged (MODEL.md §5).
    const bool finite = hd::isfinite(e.ww) && hd::isfinite(e.gg) && hd::isfinite(e.loss);
    st.diverged = !finite || static_cast<double>(e.ww) > p.blowup * p.blowup * ssd;
    // The loss criterion is relative to the teacher's output power E[g(x; W*)^2].
    st.met = p.criterion == Criterion::loss
                 ? static_cast<double>(e.loss) < p.tol * static_cast<double>(s.teacher_term)
                 : e.bad == 0;
    st.dead = e.dead_units == p.K;
    st.dead_for_good = st.dead;  // no regulariser: a unit that never fires never moves
    // At rest counts only away from the teacher: with every unit one-to-one within
    // sqrt(stuck_tol) of its teacher unit the trajectory is slowly converging and keeps running
    // (docs/model.md, "At rest near the target").
    // With unequal widths no unit is one-to-one with a teacher unit: "away" is a relative loss
    // of at least stuck_tol (the square of the relative distance sqrt(stuck_tol)).
    const bool away = p.K == p.K_teacher ? e.far > 0
                                         : static_cast<double>(e.loss) >=
                                               p.stuck_tol * static_cast<double>(s.teacher_term);
    st.small_step = p.mode != DataMode::online &&
                    static_cast<double>(e.gg) < p.stuck_tol * p.stuck_tol * ssd && away;
    return st;
  }

  /// Whether student unit j can fire at the evaluated state: in fixed mode on some row of the
  /// design (ws.active holds the last evaluation's counts on every path), else w_j != 0 (the
  /// test of unit_status).
  template <class T>
  RELUSIM_HD static bool unit_alive(const Params& p, const Workspace<T>& ws, int j) {
    return p.mode == DataMode::fixed ? ws.active[j] > T(0) : ws.ww[j] != T(0);
  }

  /// The student's units by fate (MODEL.md §2.1, docs/model.md): a live unit whose angle to its
  /// closest teacher direction is below unit_angle is on it; alone there it is matched, with
  /// others split. Counts into `matched` and `split`.
  template <class T>
  RELUSIM_HD static void unit_fates(const Params& p, const Workspace<T>& ws, int& matched,
                                    int& split) {
    constexpr int kMaxK = 128;  // K <= 128 (validated; the bound keeps `on` in range anyway)
    const int K = hd::min(p.K, kMaxK), Kt = p.K_teacher;
    std::int8_t on[kMaxK];  // the teacher unit each student unit lies on, -1: none (Kt <= 128)
    for (int j = 0; j < K; ++j) {
      on[j] = -1;
      if (!unit_alive(p, ws, j)) continue;
      double best = -2.0;
      int q_best = 0;
      for (int q = 0; q < Kt; ++q) {
        const double c = static_cast<double>(ws.dots[j * Kt + q]) /
                         hd::sqrt(static_cast<double>(ws.ww[j]) * static_cast<double>(ws.tss[q]));
        if (c > best) {
          best = c;
          q_best = q;
        }
      }
      if (best > p.unit_cos) on[j] = static_cast<std::int8_t>(q_best);
    }
    matched = split = 0;
    for (int j = 0; j < K; ++j) {
      if (on[j] < 0) continue;
      int n = 0;
      for (int i = 0; i < K; ++i)
        n += on[i] == on[j] ? 1 : 0;
      (n == 1 ? matched : split) += 1;
    }
  }

  /// Slots: loss, matched distance, dead units, |Delta|_F, (x, y), |W|_F, the smallest
  /// eigenvalue left NaN for the host (curvature.hpp), the units matched and split; flag:
  /// matched.
  template <class T>
  RELUSIM_HD static void describe(const Params& p, const Workspace<T>& ws, const Start<T>&,
                                  const Eval<T>& e, TrajectoryRecord& rec) {
    const int K = p.K, Kt = p.K_teacher;
    double worst = 0.0, x = 0.0, y = 0.0;
    bool matched = K == Kt;
    for (int j = 0; j < K; ++j) {
      worst = hd::max(worst, static_cast<double>(ws.mdist[j]));
      for (int q = 0; q < j; ++q)
        matched = matched && ws.match[q] != ws.match[j];
      for (int q = 0; q < Kt; ++q) {
        const double c = static_cast<double>(ws.dots[j * Kt + q]) / static_cast<double>(ws.tss[q]);
        if (q == j) {
          x += c;
        } else {
          y += c;
        }
      }
    }
    // (x, y) is the symmetric structure of equal widths (Tian Thm 4.1).
    const bool orthonormal = K == Kt && (p.teacher == TeacherKind::orthonormal ||
                                         p.teacher == TeacherKind::random_orthonormal);
    int units_matched = 0, units_split = 0;
    unit_fates(p, ws, units_matched, units_split);
    const double nan = hd::quiet_nan();
    rec.slot[kLoss] = static_cast<double>(e.loss);
    rec.slot[kMatchedDistance] = hd::sqrt(worst);
    rec.slot[kDeadUnits] = static_cast<double>(e.dead_units);
    rec.slot[kGradNorm] = hd::sqrt(static_cast<double>(e.gg));
    rec.slot[kX] = orthonormal ? x / K : nan;
    rec.slot[kY] = orthonormal ? (K > 1 ? y / (K * (K - 1)) : 0.0) : nan;
    rec.slot[kWeightNorm] = hd::sqrt(static_cast<double>(e.ww));
    rec.slot[kMinEigenvalue] = nan;
    rec.slot[kUnitsMatched] = static_cast<double>(units_matched);
    rec.slot[kUnitsSplit] = static_cast<double>(units_split);
    rec.set_flag(kMatched, matched);
  }

  /// W <- W + eta Delta: in place on the serial team; a team's evaluation has written the next
  /// weights (evaluate_team), and this rank's view swaps the two buffers.
  template <class T, class Team>
  RELUSIM_HD static void apply(Team& team, const Params& p, Workspace<T>& ws, const Eval<T>&) {
    if constexpr (Team::is_serial) {
      (void)team;
      for (int t = 0; t < p.K * p.d; ++t)
        ws.w[t] = hd::fma(static_cast<T>(p.eta), ws.delta[t], ws.w[t]);
    } else {
      T* w = ws.w;
      ws.w = ws.w_next;
      ws.w_next = w;
    }
  }

  RELUSIM_HD static void record_aux(const Aux&, TrajectoryRecord&) {}
};

}  // namespace relusim
