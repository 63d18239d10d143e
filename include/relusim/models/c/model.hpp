// Model C behind the seam (DESIGN.md "Large per-trajectory state"): identity-mapping networks
// (Li & Yuan; the PReLU report, MODEL.md §3). Its state (a d x d matrix) does not fit a thread
// block, so it is a wave model: models/c/wave.hpp steps many trajectories at once with batched
// GEMMs over the batched-ops seam, and the backends run waves instead of teams.
#pragma once

#include "relusim/models/c/types.hpp"

namespace relusim {

struct ModelC {
  static constexpr const char* kName = "C";
  static constexpr bool kWave = true;
  using Params = ModelCParams;
  /// Final weights per trajectory: W, d x d, row-major (W[r][c], column c is unit c).
  static int weight_count(const Params& p) { return p.d * p.d; }
};

}  // namespace relusim
