// Where a Model A trajectory should end (MODEL.md §1.3) and Kong's per-trajectory checks.
// Host code, double precision; the CPU backend calls it between setup and run.
#pragma once

#include <vector>

#include "relusim/model_a.hpp"

namespace relusim {

/// The target of one trajectory and what the fixed design says about it.
struct TargetInfo {
  std::vector<double> target;       ///< w_hat (or w* when lambda = 0 / no valid w_hat)
  bool solved = true;               ///< the stationarity equation was solved (assuming D*)
  bool target_valid = true;         ///< solved and D(w_hat) = D* (fixed mode)
  bool design_checked = false;      ///< fixed mode: the two flags below are meaningful
  bool positive_definite = false;   ///< X^T D* X positive definite (Kong Lemma 2)
  bool lambda_within_bound = true;  ///< lambda <= Kong's bound (17) / (33)
  double lambda_bound = 0.0;        ///< the bound itself (0 when Bm is singular)
};

/// Target for a fixed design: x is the row-major N x d design, w_star the teacher.
TargetInfo fixed_mode_target(const ModelAParams& p, const double* x, const double* w_star);

/// Target of the population dynamics (expected mode; also used for online mode).
TargetInfo expected_mode_target(const ModelAParams& p, const double* w_star);

/// Residual of the fixed-mode stationarity equation at w (Kong (12)/(25), sign per convention,
/// assuming D(w) = D*): Bm w* - Bm w + s * lambda * N * (1/2) dR/dw, s = -1 descent, +1 as-printed.
std::vector<double> fixed_stationarity_residual(const ModelAParams& p, const double* x,
                                                const double* w_star, const std::vector<double>& w);

}  // namespace relusim
