// cuBLAS and Thrust calls the models' batched ops share (Model A's targets in
// kernels/models/cublas_ops.cuh, Model C's waves in kernels/models/model_c.cu): strided-batched
// S/DGEMM over the seam's BlasTrans, and the count of states still active. All calls are checked.
#pragma once

#include <cublas_v2.h>
#include <thrust/count.h>
#include <thrust/execution_policy.h>

#include <cstdint>

#include "cuda_check.cuh"
#include "relusim/core/blas.hpp"
#include "relusim/core/hd.hpp"

namespace relusim {

inline cublasOperation_t cublas_op(BlasTrans t) {
  return t == BlasTrans::none ? CUBLAS_OP_N : CUBLAS_OP_T;
}

/// C_i = alpha op(A_i) op(B_i) + beta C_i for i < batch (column-major, strided), on `stream`'s
/// handle.
inline void gemm_strided_batched(cublasHandle_t handle, BlasTrans ta, BlasTrans tb, int m, int n,
                                 int k, float alpha, const float* a, int lda, std::int64_t sa,
                                 const float* b, int ldb, std::int64_t sb, float beta, float* c,
                                 int ldc, std::int64_t sc, int batch) {
  RELUSIM_CUBLAS_CHECK(cublasSgemmStridedBatched(handle, cublas_op(ta), cublas_op(tb), m, n, k,
                                                 &alpha, a, lda, sa, b, ldb, sb, &beta, c, ldc, sc,
                                                 batch));
}
inline void gemm_strided_batched(cublasHandle_t handle, BlasTrans ta, BlasTrans tb, int m, int n,
                                 int k, double alpha, const double* a, int lda, std::int64_t sa,
                                 const double* b, int ldb, std::int64_t sb, double beta, double* c,
                                 int ldc, std::int64_t sc, int batch) {
  RELUSIM_CUBLAS_CHECK(cublasDgemmStridedBatched(handle, cublas_op(ta), cublas_op(tb), m, n, k,
                                                 &alpha, a, lda, sa, b, ldb, sb, &beta, c, ldc, sc,
                                                 batch));
}

/// How many of `n` states (any struct with an `active` field) are still active.
struct IsActive {
  template <class State>
  RELUSIM_HD bool operator()(const State& s) const {
    return s.active != 0;
  }
};
template <class State>
int count_active_states(cudaStream_t stream, const State* s, int n) {
  return static_cast<int>(thrust::count_if(thrust::cuda::par.on(stream), s, s + n, IsActive{}));
}

}  // namespace relusim
