// Model B's plain types (MODEL.md §2, §2.1): a student of K ReLUs and a teacher of K_teacher
// ReLUs, each summed with fixed top weights of its own (the student's shared by the teacher when
// the widths are equal and the teacher's are not given). Single-source: host and device use
// them alike.
#pragma once

#include <cstdint>

#include "relusim/core/hd.hpp"
#include "relusim/core/layout.hpp"
#include "relusim/core/random.hpp"
#include "relusim/io/choices.hpp"

namespace relusim {

/// Everything one Model B trajectory needs, resolved by the host. Plain data (a kernel argument).
struct ModelBParams {
  int K = 2;           ///< student units
  int K_teacher = 2;   ///< teacher units
  int d = 2;           ///< input dimension
  int n_samples = 10;  ///< N, rows of the fixed design
  int batch = 1;       ///< B, minibatch size in online mode
  DataMode mode = DataMode::fixed;
  InputDistribution inputs = InputDistribution::gaussian;
  double eta = 0.05;
  std::int64_t max_steps = 20000;
  bool early_stop = true;
  Criterion criterion = Criterion::distance;
  double tol = 1e-3;
  double stuck_tol = 1e-9;  ///< |Delta|_F < stuck_tol |W*|_F away from the teacher: saddle
  double unit_cos =
      0.9800665778412416;  ///< cos(unit_angle): a unit on a teacher unit's direction (fates)
  double blowup = 1e6;     ///< |W|_F > blowup |W*|_F: diverged
  TeacherKind teacher = TeacherKind::orthonormal;
  double teacher_norm = 1.0;  ///< norm of each random teacher row
  InitKind init = InitKind::gaussian;
  double init_x = 0.5, init_y = 0.5;            ///< symmetric init
  double noise_sigma = 0.0;                     ///< noise init: standard deviation of E
  double init_sigma = 0.0;                      ///< gaussian init
  double init_radius = 0.0;                     ///< ball init: radius of each row's ball
  const double* teacher_matrix = nullptr;       ///< K_teacher x d row-major (explicit teacher)
  const double* init_matrix = nullptr;          ///< K x d row-major (explicit init)
  const double* top_weights = nullptr;          ///< K (nullptr: all ones)
  const double* teacher_top_weights = nullptr;  ///< K_teacher (nullptr: all ones)
  std::uint64_t seed = 1;
};

RELUSIM_HD inline int model_b_rows(const ModelBParams& p) {
  return data_rows(p.mode, p.n_samples, p.batch);
}

/// The leading dimension of a trajectory's design (design_ld: rows padded to whole vectors).
RELUSIM_HD inline int model_b_ld(const ModelBParams& p) {
  return design_ld(model_b_rows(p));
}

/// Per-trajectory memory, carved out of one scratch array of model_b_workspace_size() T's. The
/// design and the per-unit row arrays are column-major (leading dimension model_b_ld): the row
/// products and RM^T X run along contiguous memory (SIMD on the CPU, coalesced on the GPU).
template <class T>
struct ModelBWorkspace {
  T* x;       ///< ld x d inputs, column-major: x_ik at x[k * ld + i] (padding rows 0)
  T* u;       ///< ld teacher outputs g(x_i; W*) (0 in the padding)
  T* rm;      ///< ld x K: a_j * residual where unit j is active, else 0 (column j at j * ld)
  T* act;     ///< ld x K: 1 where unit j is active (the serial host step: K vectors of lane counts)
  T* w;       ///< K x d student
  T* w_next;  ///< K x d the next student (a team writes it with Delta; apply swaps; serial: none)
  T* w_star;  ///< Kt x d teacher (Kt = K_teacher)
  T* delta;   ///< K x d update direction
  T* a;       ///< K top weights
  T* at;      ///< Kt teacher top weights
  T* active;  ///< K active samples per unit
  T* ww;      ///< K |w_j|^2
  T* tss;     ///< Kt |w*_k|^2
  T* h;       ///< K coefficient of w_j in the expected update
  T* match;   ///< K nearest teacher unit of each student unit
  T* mdist;   ///< K its relative squared distance
  T* dots;    ///< K x Kt w_j . w*_k
  T* dist;    ///< K x Kt |w_j - w*_k|^2
  T* gram;    ///< K x K w_j . w_j' (expected mode)
  T* tgram;   ///< Kt x Kt w*_k . w*_k'
  T* coef_s;  ///< K x Kt coefficient of w*_k in Delta_j (expected mode)
  T* coef_w;  ///< K x K coefficient of w_j' in Delta_j (expected mode)
  T* partial;  ///< team_size partial sums
};

/// The workspace's layout in one place (core/layout.hpp): sizes it, or carves it.
template <class T, bool kCarve>
RELUSIM_HD inline ModelBWorkspace<T> model_b_layout(const ModelBParams& p, int team_size,
                                                    Layout<T, kCarve>& l) {
  const std::int64_t ld = model_b_ld(p), K = p.K, Kt = p.K_teacher, d = p.d;
  ModelBWorkspace<T> ws;
  ws.x = l.take(ld * d);
  ws.u = l.take(ld);
  ws.rm = l.take(ld * K);
  ws.act = l.take(ld * K);
  ws.w = l.take(K * d);
  ws.w_next = l.take(team_size == 1 ? 0 : K * d);
  ws.w_star = l.take(Kt * d);
  ws.delta = l.take(K * d);
  ws.a = l.take(K);
  ws.at = l.take(Kt);
  ws.active = l.take(K);
  ws.ww = l.take(K);
  ws.tss = l.take(Kt);
  ws.h = l.take(K);
  ws.match = l.take(K);
  ws.mdist = l.take(K);
  ws.dots = l.take(K * Kt);
  ws.dist = l.take(K * Kt);
  ws.gram = l.take(K * K);
  ws.tgram = l.take(Kt * Kt);
  ws.coef_s = l.take(K * Kt);
  ws.coef_w = l.take(K * K);
  ws.partial = l.take(team_size);
  return ws;
}

RELUSIM_HD inline std::int64_t model_b_workspace_size(const ModelBParams& p, int team_size) {
  CountingLayout<double> l;
  model_b_layout(p, team_size, l);
  return l.size();
}

template <class T>
RELUSIM_HD inline ModelBWorkspace<T> model_b_workspace(const ModelBParams& p, int team_size, T* s) {
  Layout<T> l(s);
  return model_b_layout(p, team_size, l);
}

/// Model B has no preparation between setup and dynamics.
struct NoAux {};

}  // namespace relusim
