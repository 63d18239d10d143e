// Model A's plain types (MODEL.md §1): the choices of a run, the resolved parameters of one
// trajectory, its workspace and its result. Single-source: host and device use them alike.
#pragma once

#include <cstdint>

#include "relusim/core/hd.hpp"
#include "relusim/core/layout.hpp"
#include "relusim/core/random.hpp"
#include "relusim/engine/record.hpp"
#include "relusim/io/choices.hpp"

namespace relusim {

enum class Regularizer : int { none = 0, l2 = 1, l1sq = 2, l1 = 3 };
enum class Convention : int { descent = 0, as_printed = 1 };

/// Everything one Model A trajectory needs, resolved by the host (radii, sigma, norms).
/// Plain data so it can be copied to the device as a kernel argument.
struct ModelAParams {
  int d = 2;
  int n_samples = 10;  ///< N, rows of the fixed design
  int batch = 1;       ///< B, minibatch size in online mode
  DataMode mode = DataMode::fixed;
  InputDistribution inputs = InputDistribution::gaussian;
  Regularizer regularizer = Regularizer::none;
  Convention convention = Convention::descent;
  double lambda = 0.0;
  double eta = 0.05;
  std::int64_t max_steps = 20000;
  Criterion criterion = Criterion::distance;
  double tol = 1e-3;
  double stuck_tol = 1e-9;  ///< ||Delta|| < stuck_tol * ||w*|| away from the target: stuck
  double blowup = 1e6;      ///< ||w|| > blowup * ||w*||: diverged
  bool early_stop = true;
  InitKind init = InitKind::ball;
  double init_radius = 0.0;  ///< resolved ball radius (ball, ball_tight)
  double init_sigma = 0.0;   ///< resolved standard deviation (gaussian)
  TeacherKind teacher = TeacherKind::ones;
  double teacher_norm = 1.0;               ///< norm of the random teacher
  const double* teacher_vector = nullptr;  ///< length d (explicit teacher)
  const double* init_vector = nullptr;     ///< length d (explicit init)
  std::uint64_t seed = 1;
};

/// Rows of data a trajectory keeps: N (fixed), B (online), none (expected).
RELUSIM_HD inline int model_a_rows(const ModelAParams& p) {
  return data_rows(p.mode, p.n_samples, p.batch);
}

/// The leading dimension of a trajectory's design (design_ld: rows padded to whole vectors).
RELUSIM_HD inline int model_a_ld(const ModelAParams& p) {
  return design_ld(model_a_rows(p));
}

/// Accumulator lanes of the serial step: one 64-byte vector (8 doubles, 16 floats). A fixed
/// number in the source, so sums are taken in the same order whatever the vector ISA.
template <class T>
inline constexpr int kLanes = static_cast<int>(64 / sizeof(T));

/// Per-trajectory memory, carved out of one scratch array of model_a_workspace_size() T's.
/// The design is column-major: column j holds x_ij for i < ld (rows past model_a_rows are
/// zero), so the row products and X^T r run along contiguous memory (SIMD on the CPU,
/// coalesced on the GPU).
template <class T>
struct ModelAWorkspace {
  T* x;        ///< ld x d design, column-major (ld = model_a_ld)
  T* u;        ///< ld teacher outputs relu(x_i . w*) (0 in the padding)
  T* r;        ///< ld residuals (team algorithm) or the serial step's row products
  T* w;        ///< d student weights
  T* w_next;   ///< d the next weights (a team writes them with Delta; apply swaps; serial: none)
  T* w_star;   ///< d teacher weights
  T* target;   ///< d where the trajectory should end
  T* delta;    ///< d update direction Delta(w)
  T* partial;  ///< team_size + d partial sums (a team), d x 256 bytes of lane sums (serial)
};

/// The workspace's layout in one place (core/layout.hpp): sizes it, or carves it.
template <class T, bool kCarve>
RELUSIM_HD inline ModelAWorkspace<T> model_a_layout(const ModelAParams& p, int team_size,
                                                    Layout<T, kCarve>& l) {
  const std::int64_t ld = model_a_ld(p), d = p.d;
  ModelAWorkspace<T> ws;
  ws.x = l.take(ld * d);
  ws.u = l.take(ld);
  ws.r = l.take(ld);
  ws.w = l.take(d);
  ws.w_next = l.take(team_size == 1 ? 0 : d);
  ws.w_star = l.take(d);
  ws.target = l.take(d);
  ws.delta = l.take(d);
  ws.partial = l.take(team_size == 1 ? 64 * d : team_size + d);
  return ws;
}

RELUSIM_HD inline std::int64_t model_a_workspace_size(const ModelAParams& p, int team_size) {
  CountingLayout<double> l;
  model_a_layout(p, team_size, l);
  return l.size();
}

template <class T>
RELUSIM_HD inline ModelAWorkspace<T> model_a_workspace(const ModelAParams& p, int team_size,
                                                       T* scratch) {
  Layout<T> l(scratch);
  return model_a_layout(p, team_size, l);
}

/// What a fixed design says about a trajectory's target (MODEL.md §1.3-1.4, Kong Lemma 2 and
/// the lambda bounds); computed by the batched target code (batched_targets.hpp).
struct TargetChecks {
  bool design_checked = false;      ///< fixed mode: the two flags below are meaningful
  bool positive_definite = false;   ///< X^T D* X positive definite (Kong Lemma 2)
  bool lambda_within_bound = true;  ///< lambda <= Kong's bound (17) / (33)
  bool solved = true;               ///< the stationarity equation was solved (assuming D*)
  bool target_valid = true;         ///< solved and D(w_hat) = D* (fixed mode)
  double lambda_bound = 0.0;        ///< the bound itself (0 when X^T D* X is singular)
};

}  // namespace relusim
