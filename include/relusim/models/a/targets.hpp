// Where a Model A trajectory should end (MODEL.md §1.3) and Kong's per-trajectory checks.
// Host code, double precision; the CPU backend calls it between setup and run. The fixed-design
// targets are batched_targets.hpp's algorithm on OpenBLAS (HostBlasBatchedOps).
#pragma once

#include <cstdint>
#include <vector>

#include "relusim/models/a/dynamics.hpp"

namespace relusim {

/// The target of one trajectory and what the fixed design says about it.
struct TargetInfo : TargetChecks {
  std::vector<double> target;  ///< w_hat (or w* when lambda = 0 / no valid w_hat)
};

/// Targets of n fixed designs of one shape with the batched algorithm (batched_targets.hpp) on
/// the host: x holds n row-major N x d designs, w_star n teachers; trajectory k uses
/// params[param_of[k]].
std::vector<TargetInfo> fixed_mode_targets(const ModelAParams* params,
                                           const std::uint32_t* param_of, int n, const double* x,
                                           const double* w_star);

/// The same for designs in a trajectory's own layout: x holds n column-major ld x d designs
/// (rows past N zero, models/a/types.hpp). `oracle` runs the plain-loop reference instead of
/// OpenBLAS (tests compare the two).
std::vector<TargetInfo> fixed_mode_targets_colmajor(const ModelAParams* params,
                                                    const std::uint32_t* param_of, int n,
                                                    const double* x, int ld, const double* w_star,
                                                    bool oracle = false);

/// Target for a fixed design: x is the row-major N x d design, w_star the teacher.
TargetInfo fixed_mode_target(const ModelAParams& p, const double* x, const double* w_star);

/// Target of the population dynamics (expected mode; also used for online mode).
TargetInfo expected_mode_target(const ModelAParams& p, const double* w_star);

/// Residual of the fixed-mode stationarity equation at w (Kong (12)/(25), sign per convention,
/// assuming D(w) = D*): Bm w* - Bm w + s * lambda * N * (1/2) dR/dw, s = -1 descent, +1 as-printed.
std::vector<double> fixed_stationarity_residual(const ModelAParams& p, const double* x,
                                                const double* w_star, const std::vector<double>& w);

}  // namespace relusim
