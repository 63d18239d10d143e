#include "relusim/core/blas_ops_host.hpp"

#include <cblas.h>

#include <mutex>

// OpenBLAS's pthread build (Debian's default) exports this; the OpenMP and serial builds do
// not, so it is weak: null when absent.
extern "C" void blas_thread_shutdown_(void) __attribute__((weak));

namespace relusim {
namespace {

CBLAS_TRANSPOSE op(BlasTrans t) {
  return t == BlasTrans::none ? CblasNoTrans : CblasTrans;
}

}  // namespace

void host_gemm(BlasTrans ta, BlasTrans tb, int m, int n, int k, float alpha, const float* a,
               int lda, std::int64_t stride_a, const float* b, int ldb, std::int64_t stride_b,
               float beta, float* c, int ldc, std::int64_t stride_c, int batch) {
  for (int q = 0; q < batch; ++q)
    cblas_sgemm(CblasColMajor, op(ta), op(tb), m, n, k, alpha, a + q * stride_a, lda,
                b + q * stride_b, ldb, beta, c + q * stride_c, ldc);
}

void host_gemm(BlasTrans ta, BlasTrans tb, int m, int n, int k, double alpha, const double* a,
               int lda, std::int64_t stride_a, const double* b, int ldb, std::int64_t stride_b,
               double beta, double* c, int ldc, std::int64_t stride_c, int batch) {
  for (int q = 0; q < batch; ++q)
    cblas_dgemm(CblasColMajor, op(ta), op(tb), m, n, k, alpha, a + q * stride_a, lda,
                b + q * stride_b, ldb, beta, c + q * stride_c, ldc);
}

void host_blas_single_threaded() {
  // The pthread build starts its pool when the library loads; idle, each thread spins on
  // sched_yield for about 2^28 cycles (OPENBLAS_THREAD_TIMEOUT) before it sleeps, taking a core
  // from the trajectories at the start of every run. Stop the pool once: with one thread,
  // OpenBLAS runs every call on the caller. Both only once: after the shutdown, each
  // openblas_set_num_threads(1) started a new pool thread (OpenBLAS 0.3.21), which spun for
  // ~0.1 s of every run (a fifth of W1's CPU time in float, seen with perf).
  static std::once_flag stopped;
  std::call_once(stopped, [] {
    openblas_set_num_threads(1);
    if (blas_thread_shutdown_ != nullptr) blas_thread_shutdown_();
  });
}

}  // namespace relusim
