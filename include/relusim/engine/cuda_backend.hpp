// Entry points of the CUDA backend (kernels/). A build without nvcc links a stub whose
// functions report "built without CUDA support".
#pragma once

#include <memory>
#include <string>

#include "relusim/engine/backend.hpp"
#include "relusim/models/a/targets.hpp"

namespace relusim {

/// True when relusim was compiled with its CUDA backend.
bool cuda_compiled();

/// True when a usable device is present; `why` names the device, or says why not.
bool cuda_device_available(std::string& why);

/// Makes device `index mod device count` this thread's current device (one GPU per MPI rank of
/// a node); does nothing without a device or without CUDA.
void cuda_bind_device(int index);

/// The CUDA backend on the current device; throws BackendError when unavailable.
std::unique_ptr<Backend> make_cuda_backend();

/// The fixed-design targets of trajectories [first_id, first_id + count) of one cell, computed
/// on the device (design kernel + cuBLAS batched targets); for the GPU-against-CPU tests.
std::vector<TargetInfo> cuda_fixed_targets(const ModelAParams& p, Precision precision,
                                           std::uint32_t first_id, std::uint32_t count);

}  // namespace relusim
