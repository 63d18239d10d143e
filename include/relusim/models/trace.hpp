// One trajectory's path as CSV (`relusim trace`, and the experiments of `relusim reproduce`):
// the step, the model's trace columns, then the weights.
#pragma once

#include <cstdint>
#include <ostream>

#include "relusim/engine/record.hpp"
#include "relusim/io/config.hpp"

namespace relusim {

/// Runs trajectory `id` of `cell` on the CPU and writes its header and every `every`-th step
/// (and the last) to `os`. Model C writes W only when d <= 10. Returns the trajectory's record.
TrajectoryRecord trace_trajectory(const CellConfig& cell, std::uint32_t id, std::int64_t every,
                                  std::ostream& os);

}  // namespace relusim
