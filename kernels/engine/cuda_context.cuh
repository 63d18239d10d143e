// What every CUDA launch of the backend shares: the device, its properties, one stream and a
// cuBLAS handle bound to it.
#pragma once

#include <vector>

#include "cuda_check.cuh"
#include "relusim/engine/backend.hpp"

namespace relusim {

struct CudaContext {
  int device = 0;
  cudaDeviceProp props{};
  int max_shared_optin = 0;
  CudaStream stream;
  CublasHandle cublas{stream.get()};

  CudaContext() {
    RELUSIM_CUDA_CHECK(cudaGetDevice(&device));
    RELUSIM_CUDA_CHECK(cudaGetDeviceProperties(&props, device));
    RELUSIM_CUDA_CHECK(
        cudaDeviceGetAttribute(&max_shared_optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
  }
};

/// Each model's instantiation of the generic runner (kernels/engine/runner.cuh).
template <class M>
std::vector<BatchResult> cuda_run_group(CudaContext& ctx,
                                        const std::vector<TrajectoryBatch>& batches);

}  // namespace relusim
