#include "relusim/core/blas_ops_host.hpp"

#include <cblas.h>

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
  openblas_set_num_threads(1);
}

}  // namespace relusim
