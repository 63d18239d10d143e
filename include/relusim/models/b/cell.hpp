// Model B's own keys of a cell (io/config.hpp ModelFields): the committee's width, its top
// weights and the symmetric and noise initialisations.
#pragma once

#include <cstdint>
#include <vector>

#include "relusim/io/config.hpp"

namespace relusim {

struct ModelBCell {
  int K = 2;
  int K_teacher = 0;                        // the teacher's width; 0: K (teacher_width())
  std::vector<double> top_weights;          // K entries; empty: all ones
  std::vector<double> teacher_top_weights;  // K_teacher entries; empty: the student's
                                            // (K_teacher = K) or all ones
  double unit_angle = 0.2;  // a unit on a teacher unit's direction: angle below this (radians)
  double init_x = 0.5;      // symmetric init
  double init_y = 0.5;
  double noise_level = 1.0;     // Tian Fig. 5 init: noise variance 1e-3 * level
  double curvature_tol = 1e-6;  // a stuck point's Hessian: eigenvalues within this of 0 (relative
                                // to the largest) are zero (models/b/curvature.hpp)

  int teacher_width() const { return K_teacher > 0 ? K_teacher : K; }

  /// Cells of one launch share both widths (engine/plan.hpp LaunchShape).
  std::vector<std::int64_t> launch_key(const CellConfig&) const { return {K, teacher_width()}; }
};

}  // namespace relusim
