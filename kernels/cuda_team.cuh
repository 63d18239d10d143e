// The CUDA Team (team.hpp): one thread block advances one trajectory. Reductions use
// cub::BlockReduce (a fixed order for a given block size) and broadcast through shared memory.
#pragma once

#include <cub/block/block_reduce.cuh>

namespace relusim {

template <int kBlock>
class CudaTeam {
 public:
  static constexpr bool is_serial = false;

  /// Shared memory of the team: CUB's scratch and the broadcast slot.
  struct Shared {
    union {
      typename cub::BlockReduce<double, kBlock>::TempStorage f64;
      typename cub::BlockReduce<float, kBlock>::TempStorage f32;
      typename cub::BlockReduce<int, kBlock>::TempStorage i32;
    } reduce;
    union {
      double f64;
      float f32;
      int i32;
    } slot;
  };

  __device__ explicit CudaTeam(Shared& shared) : shared_(&shared) {}

  __device__ int rank() const { return static_cast<int>(threadIdx.x); }
  __device__ int size() const { return kBlock; }
  __device__ void sync() { __syncthreads(); }

  __device__ double reduce_sum(double v) {
    const double total = cub::BlockReduce<double, kBlock>(shared_->reduce.f64).Sum(v);
    if (threadIdx.x == 0) shared_->slot.f64 = total;
    __syncthreads();
    const double out = shared_->slot.f64;
    __syncthreads();  // the slot and CUB's scratch are free again
    return out;
  }
  __device__ float reduce_sum(float v) {
    const float total = cub::BlockReduce<float, kBlock>(shared_->reduce.f32).Sum(v);
    if (threadIdx.x == 0) shared_->slot.f32 = total;
    __syncthreads();
    const float out = shared_->slot.f32;
    __syncthreads();
    return out;
  }
  __device__ int reduce_sum(int v) {
    const int total = cub::BlockReduce<int, kBlock>(shared_->reduce.i32).Sum(v);
    if (threadIdx.x == 0) shared_->slot.i32 = total;
    __syncthreads();
    const int out = shared_->slot.i32;
    __syncthreads();
    return out;
  }

 private:
  Shared* shared_;
};

}  // namespace relusim
