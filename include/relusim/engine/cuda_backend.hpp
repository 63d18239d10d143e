// Entry points of the CUDA backend (kernels/). A build without nvcc links a stub whose
// functions report "built without CUDA support".
#pragma once

#include <memory>
#include <string>

#include "relusim/engine/backend.hpp"

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

}  // namespace relusim
