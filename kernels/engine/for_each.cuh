// One thread per item: the element-wise steps of the batched algorithms (Model A's fixed-design
// targets, Model C's waves) launched on a stream, with the launch checked.
#pragma once

#include <cstdint>

#include "cuda_check.cuh"

namespace relusim {

template <class Step>
__global__ void each_item_kernel(std::int64_t count, Step step) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) step(i);
}

/// step(i) for every i in [0, count), on `stream`.
template <class Step>
void launch_for_each(cudaStream_t stream, std::int64_t count, const Step& step) {
  if (count <= 0) return;
  constexpr int kThreads = 128;
  const auto blocks = static_cast<unsigned>((count + kThreads - 1) / kThreads);
  each_item_kernel<<<blocks, kThreads, 0, stream>>>(count, step);
  RELUSIM_CUDA_CHECK(cudaGetLastError());
}

}  // namespace relusim
