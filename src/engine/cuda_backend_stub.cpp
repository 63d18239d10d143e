// Linked when relusim is built without nvcc.
#include "relusim/engine/cuda_backend.hpp"

namespace relusim {

bool cuda_compiled() {
  return false;
}

bool cuda_device_available(std::string& why) {
  why = "built without CUDA support";
  return false;
}

void cuda_bind_device(int) {}

std::unique_ptr<Backend> make_cuda_backend() {
  throw BackendError("the CUDA backend is not available: relusim was built without CUDA support");
}

}  // namespace relusim
