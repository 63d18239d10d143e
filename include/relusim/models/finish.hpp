// A model's host work on a batch after a backend ran it (ModelInfo::finish; Model B: the
// curvature of stuck points). Both backends run their groups through run_and_finish, so a
// batch's result is the same whichever backend, thread count or rank produced it.
#pragma once

#include <vector>

#include "relusim/engine/backend.hpp"

namespace relusim {

/// The batches as the backend must run them: those whose cell the model finishes keep their
/// records and final weights.
std::vector<TrajectoryBatch> batches_for_finish(const std::vector<TrajectoryBatch>& asked);

/// The model's finish on each batch it applies to, then drops the records and weights that
/// `asked` did not ask for.
void finish_batches(const std::vector<TrajectoryBatch>& asked, std::vector<BatchResult>& outs);

/// run(batches) with the model's finish around it.
template <class Run>
std::vector<BatchResult> run_and_finish(const std::vector<TrajectoryBatch>& asked, Run&& run) {
  std::vector<BatchResult> outs = run(batches_for_finish(asked));
  finish_batches(asked, outs);
  return outs;
}

}  // namespace relusim
