// The cuBLAS back end of batched_targets.hpp (Model A's targets): strided-batched DGEMM, batched
// DGETRF/DGETRS, the per-trajectory steps as one-thread-per-trajectory kernels, and a count of the
// trajectories still iterating, over the calls every model shares (cublas_calls.cuh). Everything
// runs on one stream; all calls are checked.
#pragma once

#include <string>

#include "cublas_calls.cuh"
#include "cuda_check.cuh"
#include "for_each.cuh"
#include "relusim/models/a/batched_targets.hpp"

namespace relusim {

struct CublasBatchedOps {
  cublasHandle_t handle;
  cudaStream_t stream;

  void gemm(BlasTrans ta, BlasTrans tb, int m, int n, int k, const double* a, int lda,
            std::int64_t stride_a, const double* b, int ldb, std::int64_t stride_b, double* c,
            int ldc, std::int64_t stride_c, int batch) const {
    gemm_strided_batched(handle, ta, tb, m, n, k, 1.0, a, lda, stride_a, b, ldb, stride_b, 0.0, c,
                         ldc, stride_c, batch);
  }

  /// C_b = A_b^T A_b (A_b is k x n): the Gram matrices, both triangles.
  void gram(int n, int k, const double* a, int lda, std::int64_t stride_a, double* c, int ldc,
            std::int64_t stride_c, int batch) const {
    gemm(BlasTrans::transpose, BlasTrans::none, n, n, k, a, lda, stride_a, a, lda, stride_a, c, ldc,
         stride_c, batch);
  }
  void getrf(int n, double* const* a, int lda, int* pivots, int* info, int batch) const {
    RELUSIM_CUBLAS_CHECK(cublasDgetrfBatched(handle, n, a, lda, pivots, info, batch));
  }

  void getrs(int n, int nrhs, double* const* a, int lda, const int* pivots, double* const* b,
             int ldb, int batch) const {
    int info = 0;  // a host scalar: the index of an invalid argument, if any
    RELUSIM_CUBLAS_CHECK(
        cublasDgetrsBatched(handle, CUBLAS_OP_N, n, nrhs, a, lda, pivots, b, ldb, &info, batch));
    if (info != 0)
      throw CublasError("cublasDgetrsBatched: invalid argument " + std::to_string(-info));
  }

  template <class Step>
  void for_each(int count, const Step& step) const {
    launch_for_each(stream, count, step);  // Model A's steps take an int index
  }

  int count_active(const FixedTargetState* state, int count) const {
    return count_active_states(stream, state, count);
  }
};

}  // namespace relusim
