// Model C's plain types (MODEL.md §3, §3.1): f(x, W) = sum_i sigma(<[e_i] + w_i, x>) with W a
// d x d matrix whose columns are the units, ResLink (identity) or vanilla, sigma = relu or
// prelu_a with a fixed slope a. The teacher always has the identity: f(x, W*) with units
// e_i + w*_i. Single-source: host and device use these alike.
#pragma once

#include <cstdint>

#include "relusim/core/hd.hpp"
#include "relusim/io/choices.hpp"

namespace relusim {

/// How a d x d matrix (the teacher W* or the initial W) is made (MODEL.md §3.1).
enum class MatrixKind : int {
  zero = 0,
  gaussian = 1,  ///< i.i.d. N(0, 1) entries, scaled to a spectral norm
  spectrum = 2,  ///< U diag(s) V^T, Haar U and V, s meeting a spectral and a Frobenius norm
  matrix = 3,    ///< given: d x d numbers, row-major W[r][c] (column c is unit c)
};

/// Everything one Model C trajectory needs, resolved by the host. Plain data (a kernel argument).
struct ModelCParams {
  int d = 10;
  int batch = 100;       ///< B, samples per step (online and fixed modes)
  int n_samples = 1000;  ///< N, training set of fixed mode
  DataMode mode = DataMode::online;
  bool identity = true;  ///< ResLink (true) or vanilla (false)
  double slope = 0.0;    ///< a of prelu_a; 0 is relu
  double eta = 0.01;
  std::int64_t max_steps = 2000;
  bool early_stop = true;
  double tol = 1e-2;                   ///< |W - W*|_F < tol |W*|_F (tol itself when W* = 0)
  double blowup = 1e6;                 ///< |W|_F > blowup: diverged
  std::int64_t diagnostics_every = 1;  ///< steps between one-point-convexity checks (0: end only)
  std::uint64_t seed = 1;
  // How the teacher and the initial student are made (host only).
  MatrixKind teacher = MatrixKind::gaussian;
  double teacher_spectral = 0.3, teacher_frobenius = 0.6;
  const double* teacher_matrix = nullptr;  ///< d x d row-major
  MatrixKind init = MatrixKind::gaussian;
  double init_spectral = 0.1, init_frobenius = 0.0;
  const double* init_matrix = nullptr;  ///< d x d row-major
};

/// Record slots of a Model C trajectory (describe at its end).
enum ModelCSlot : int {
  kCLoss = 0,       ///< the expected loss E[(f(x, W) - f(x, W*))^2] in closed form
  kCPotential = 1,  ///< g = sum_i (|e_i + w*_i| - |[e_i] + w_i|)
  kCInner = 2,      ///< <-grad L(W), W* - W> (expected gradient, effective weights)
  kCRatio = 3,      ///< the inner product / |W* - W|_F^2
  kCDistF = 4,      ///< |W - W*|_F (effective weights: |[I] + W - I - W*|_F)
  kCDist2 = 5,      ///< |W - W*|_2, power iteration
  kCPhaseEnd = 6,   ///< step at which phase I ended (NaN when it did not)
};
/// Record flags.
enum ModelCFlag : int {
  kCPhaseEnded = 0,   ///< the inner product turned positive (phase I ended) within the run
  kCStartedDead = 1,  ///< dead at step 0 (vanilla ReLU from zero: zero gradient for ever)
};

}  // namespace relusim
