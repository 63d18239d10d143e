// What a Model B trajectory at rest is stuck at (docs/model.md, "Curvature of a stuck point"): the
// Hessian of the population loss (expected mode, Gaussian inputs) at its final weights, by
// central differences of the closed-form gradient the simulator runs (model_b::expected_gradient,
// in double on the host), and its eigenvalues by LAPACK dsyev. Host code: the CPU and the CUDA
// backend both hand their stuck trajectories' final weights to it.
#pragma once

#include <cstdint>
#include <vector>

#include "relusim/core/linalg.hpp"
#include "relusim/models/b/types.hpp"

namespace relusim {

/// The classes of a stuck point by the Hessian's spectrum.
enum class Curvature : int {
  none = 0,  ///< not classified (not at rest, not expected mode, or too many weights)
  local_min = 1,
  saddle = 2,
  flat = 3,
};

const char* to_string(Curvature c);

/// The Hessian, its spectrum and the verdict.
struct CurvatureResult {
  Curvature kind = Curvature::none;
  double min_eigenvalue = 0.0;
  double max_abs_eigenvalue = 0.0;
  double error = 0.0;      ///< the bound on each eigenvalue's error (Weyl): |H_h - H_2h|_F
  double threshold = 0.0;  ///< max(rel_tol * max |eigenvalue|, 2 * error)
};

/// The weights' count above which no Hessian is formed (its n^2 doubles and n^3 eigen-solve):
/// K d <= 2048, 32 MiB.
inline constexpr int kCurvatureMaxWeights = 2048;

/// The population loss and the closed-form gradient of a Model B cell's loss (expected mode) at
/// W (K x d, row-major) for trajectory `id`'s teacher (regenerated in double from the cell's
/// stream).
class ModelBPopulation {
 public:
  ModelBPopulation(const ModelBParams& p, std::uint32_t id);
  int weights() const { return p_.K * p_.d; }
  const std::vector<double>& teacher() const { return w_star_; }
  double loss(const double* w);
  /// grad L at w into g (K d entries): minus the update direction.
  double gradient(const double* w, double* g);
  /// The Hessian by central differences of the gradient with step h per coordinate,
  /// symmetrised.
  SquareMatrix hessian(const double* w, double h);

 private:
  ModelBParams p_;
  std::vector<double> scratch_, w_star_;
  double teacher_term_ = 0.0;
};

/// Classifies W: local-min if the smallest eigenvalue exceeds the threshold, saddle if it lies
/// below minus the threshold, flat otherwise. The step h = 1e-7 max(1, |W|_F / sqrt(K)); the
/// error is estimated from the same difference at 2h (the truncation error of a central
/// difference is O(h^2) where the loss is smooth, O(h) where two units are parallel).
CurvatureResult classify_curvature(const ModelBParams& p, std::uint32_t id, const double* w,
                                   double rel_tol);

}  // namespace relusim
