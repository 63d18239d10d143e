// Model B's own keys of a cell (io/config.hpp ModelFields): the committee's width, its top
// weights and the symmetric and noise initialisations.
#pragma once

#include <cstdint>
#include <vector>

#include "relusim/io/config.hpp"

namespace relusim {

struct ModelBCell {
  int K = 2;
  std::vector<double> top_weights;  // K entries; empty: all ones
  double init_x = 0.5;              // symmetric init
  double init_y = 0.5;
  double noise_level = 1.0;     // Tian Fig. 5 init: noise variance 1e-3 * level
  double curvature_tol = 1e-6;  // a stuck point's Hessian: eigenvalues within this of 0 (relative
                                // to the largest) are zero (models/b/curvature.hpp)

  /// Cells of one launch share K (engine/plan.hpp LaunchShape).
  std::vector<std::int64_t> launch_key(const CellConfig&) const { return {K}; }
};

}  // namespace relusim
