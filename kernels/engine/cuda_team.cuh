// The CUDA Team (team.hpp): one thread block advances one trajectory. Reductions use
// cub::BlockReduce (a fixed order for a given block size) and broadcast through shared memory.
#pragma once

#include <cub/block/block_reduce.cuh>
#include <type_traits>

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

  /// Sum over the block (U = double, float or int), returned to every thread.
  template <class U>
  __device__ U reduce_sum(U v) {
    U& slot = slot_for<U>();
    const U total = cub::BlockReduce<U, kBlock>(storage_for<U>()).Sum(v);
    if (threadIdx.x == 0) slot = total;
    __syncthreads();
    const U out = slot;
    __syncthreads();  // the slot and CUB's scratch are free again
    return out;
  }

 private:
  template <class U>
  __device__ typename cub::BlockReduce<U, kBlock>::TempStorage& storage_for() {
    if constexpr (std::is_same_v<U, double>) {
      return shared_->reduce.f64;
    } else if constexpr (std::is_same_v<U, float>) {
      return shared_->reduce.f32;
    } else {
      static_assert(std::is_same_v<U, int>, "CudaTeam reduces double, float and int");
      return shared_->reduce.i32;
    }
  }
  template <class U>
  __device__ U& slot_for() {
    if constexpr (std::is_same_v<U, double>) {
      return shared_->slot.f64;
    } else if constexpr (std::is_same_v<U, float>) {
      return shared_->slot.f32;
    } else {
      return shared_->slot.i32;
    }
  }

  Shared* shared_;
};

}  // namespace relusim
