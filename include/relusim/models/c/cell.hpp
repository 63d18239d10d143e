// Model C's own keys of a cell (io/config.hpp ModelFields): the network (ResLink or vanilla,
// relu or prelu) and how its teacher and initial matrices are made.
#pragma once

#include <cstdint>
#include <vector>

#include "relusim/io/config.hpp"

#include "relusim/models/c/types.hpp"

namespace relusim {

struct ModelCCell {
  bool identity = true;  // ResLink; false: vanilla
  bool prelu = false;    // activation prelu_a (else relu)
  double slope = 0.25;   // a of prelu_a
  MatrixKind teacher_matrix_kind = MatrixKind::gaussian;
  MatrixKind init_matrix_kind = MatrixKind::gaussian;
  double teacher_spectral = 0.3, teacher_frobenius = 0.6;
  double init_spectral = 0.1, init_frobenius = 0.0;
  std::int64_t diagnostics_every = 1;

  /// Cells of one launch share one wave shape (models/c/host.hpp same_wave_shape): the batch, the
  /// step budget, the diagnostics cadence and, in fixed mode, N (d and the mode are in every
  /// launch shape).
  std::vector<std::int64_t> launch_key(const CellConfig& c) const {
    return {c.batch, c.steps, diagnostics_every, c.mode == DataMode::fixed ? c.n_samples : 0};
  }
};

}  // namespace relusim
