// The host back end of the batched-ops seam for wave models (models/c/wave.hpp): a real BLAS
// (OpenBLAS, column-major like cuBLAS), one GEMM per matrix of a strided batch, and serial
// element-wise loops. The CPU backend runs one trajectory per worker thread through it, so each
// GEMM runs single-threaded and a trajectory's numbers do not depend on the thread count.
#pragma once

#include <cstdint>

#include "relusim/core/blas.hpp"

namespace relusim {

/// C_q = alpha op(A_q) op(B_q) + beta C_q for q < batch (cblas_sgemm / cblas_dgemm).
void host_gemm(BlasTrans ta, BlasTrans tb, int m, int n, int k, float alpha, const float* a,
               int lda, std::int64_t stride_a, const float* b, int ldb, std::int64_t stride_b,
               float beta, float* c, int ldc, std::int64_t stride_c, int batch);
void host_gemm(BlasTrans ta, BlasTrans tb, int m, int n, int k, double alpha, const double* a,
               int lda, std::int64_t stride_a, const double* b, int ldb, std::int64_t stride_b,
               double beta, double* c, int ldc, std::int64_t stride_c, int batch);

/// Keeps OpenBLAS to the calling thread (the CPU backend parallelises over trajectories).
void host_blas_single_threaded();

struct HostBlasOps {
  template <class T>
  void gemm(BlasTrans ta, BlasTrans tb, int m, int n, int k, T alpha, const T* a, int lda,
            std::int64_t stride_a, const T* b, int ldb, std::int64_t stride_b, T beta, T* c,
            int ldc, std::int64_t stride_c, int batch) const {
    host_gemm(ta, tb, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b, beta, c, ldc, stride_c,
              batch);
  }
  template <class F>
  void for_each(std::int64_t count, const F& f) const {
    for (std::int64_t i = 0; i < count; ++i)
      f(i);
  }
  /// How many of the n states are still active (any state type with an `active` flag).
  template <class State>
  int count_active(const State* s, int n) const {
    int active = 0;
    for (int k = 0; k < n; ++k)
      active += s[k].active != 0 ? 1 : 0;
    return active;
  }
  void synchronize() const {}
};

}  // namespace relusim
