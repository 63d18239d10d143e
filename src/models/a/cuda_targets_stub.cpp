// Model A's device targets in a build without nvcc (models/a/cuda_targets.hpp).
#include "relusim/engine/backend.hpp"
#include "relusim/models/a/cuda_targets.hpp"

namespace relusim {

std::vector<TargetInfo> cuda_fixed_targets(const ModelAParams&, Precision, std::uint32_t,
                                           std::uint32_t) {
  throw BackendError("the CUDA backend is not available: relusim was built without CUDA support");
}

}  // namespace relusim
