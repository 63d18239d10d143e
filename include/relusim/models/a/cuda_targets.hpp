// Model A's device targets on their own, for the GPU-against-CPU tests (tests/test_gpu.cpp):
// defined in kernels/models/model_a.cu, or by a stub that throws BackendError in a build
// without nvcc.
#pragma once

#include <cstdint>
#include <vector>

#include "relusim/models/a/targets.hpp"

namespace relusim {

/// The fixed-design targets of trajectories [first_id, first_id + count) of one cell, computed
/// on the device (design kernel + cuBLAS batched targets).
std::vector<TargetInfo> cuda_fixed_targets(const ModelAParams& p, Precision precision,
                                           std::uint32_t first_id, std::uint32_t count);

}  // namespace relusim
