#include "relusim/core/batched_ops_host.hpp"

#include <cblas.h>

#include <cmath>
#include <utility>

// LAPACK's Fortran interface, as OpenBLAS exports it.
extern "C" {
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void dgetrs_(const char* trans, const int* n, const int* nrhs, const double* a, const int* lda,
             const int* ipiv, double* b, const int* ldb, int* info);
}

namespace relusim {

void HostBatchedOps::gemm(BlasTrans ta, BlasTrans tb, int m, int n, int k, const double* a, int lda,
                          std::int64_t stride_a, const double* b, int ldb, std::int64_t stride_b,
                          double* c, int ldc, std::int64_t stride_c, int batch) const {
  for (int q = 0; q < batch; ++q) {
    const double* aq = a + q * stride_a;
    const double* bq = b + q * stride_b;
    double* cq = c + q * stride_c;
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < m; ++i) {
        double s = 0.0;
        for (int l = 0; l < k; ++l) {
          const double av = ta == BlasTrans::none ? aq[i + static_cast<std::ptrdiff_t>(l) * lda]
                                                  : aq[l + static_cast<std::ptrdiff_t>(i) * lda];
          const double bv = tb == BlasTrans::none ? bq[l + static_cast<std::ptrdiff_t>(j) * ldb]
                                                  : bq[j + static_cast<std::ptrdiff_t>(l) * ldb];
          s += av * bv;
        }
        cq[i + static_cast<std::ptrdiff_t>(j) * ldc] = s;
      }
  }
}

void HostBatchedOps::gram(int n, int k, const double* a, int lda, std::int64_t stride_a, double* c,
                          int ldc, std::int64_t stride_c, int batch) const {
  gemm(BlasTrans::transpose, BlasTrans::none, n, n, k, a, lda, stride_a, a, lda, stride_a, c, ldc,
       stride_c, batch);
}

void HostBatchedOps::getrf(int n, double* const* a, int lda, int* pivots, int* info,
                           int batch) const {
  for (int q = 0; q < batch; ++q) {
    double* m = a[q];
    auto at = [&](int i, int j) -> double& { return m[i + static_cast<std::ptrdiff_t>(j) * lda]; };
    info[q] = 0;
    for (int c = 0; c < n; ++c) {
      if (pivots != nullptr) {
        int p = c;
        for (int i = c + 1; i < n; ++i)
          if (std::fabs(at(i, c)) > std::fabs(at(p, c))) p = i;
        pivots[static_cast<std::ptrdiff_t>(q) * n + c] = p + 1;
        if (p != c)
          for (int j = 0; j < n; ++j)
            std::swap(at(p, j), at(c, j));
      }
      if (at(c, c) == 0.0) {
        if (info[q] == 0) info[q] = c + 1;
        continue;
      }
      for (int i = c + 1; i < n; ++i)
        at(i, c) /= at(c, c);
      for (int j = c + 1; j < n; ++j)
        for (int i = c + 1; i < n; ++i)
          at(i, j) -= at(i, c) * at(c, j);
    }
  }
}

void HostBatchedOps::getrs(int n, int nrhs, double* const* a, int lda, const int* pivots,
                           double* const* b, int ldb, int batch) const {
  for (int q = 0; q < batch; ++q) {
    const double* m = a[q];
    auto lu = [&](int i, int j) { return m[i + static_cast<std::ptrdiff_t>(j) * lda]; };
    for (int r = 0; r < nrhs; ++r) {
      double* x = b[q] + static_cast<std::ptrdiff_t>(r) * ldb;
      for (int c = 0; c < n; ++c) {
        const int p = pivots[static_cast<std::ptrdiff_t>(q) * n + c] - 1;
        if (p != c) std::swap(x[p], x[c]);
      }
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < i; ++j)
          x[i] -= lu(i, j) * x[j];
      for (int i = n - 1; i >= 0; --i) {
        for (int j = i + 1; j < n; ++j)
          x[i] -= lu(i, j) * x[j];
        x[i] /= lu(i, i);
      }
    }
  }
}

namespace {

CBLAS_TRANSPOSE cblas_op(BlasTrans t) {
  return t == BlasTrans::none ? CblasNoTrans : CblasTrans;
}

}  // namespace

void HostBlasBatchedOps::gemm(BlasTrans ta, BlasTrans tb, int m, int n, int k, const double* a,
                              int lda, std::int64_t stride_a, const double* b, int ldb,
                              std::int64_t stride_b, double* c, int ldc, std::int64_t stride_c,
                              int batch) const {
  for (int q = 0; q < batch; ++q)
    cblas_dgemm(CblasColMajor, cblas_op(ta), cblas_op(tb), m, n, k, 1.0, a + q * stride_a, lda,
                b + q * stride_b, ldb, 0.0, c + q * stride_c, ldc);
}

void HostBlasBatchedOps::gram(int n, int k, const double* a, int lda, std::int64_t stride_a,
                              double* c, int ldc, std::int64_t stride_c, int batch) const {
  for (int q = 0; q < batch; ++q) {
    double* cq = c + q * stride_c;
    // OpenBLAS's SYRK packs its operands whatever their size; its small-matrix GEMM does not,
    // and is faster up to kGramByGemm (docs/benchmarks.md, "Measurements behind the code").
    if (n <= kGramByGemm)
      cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, n, n, k, 1.0, a + q * stride_a, lda,
                  a + q * stride_a, lda, 0.0, cq, ldc);
    else
      cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, n, k, 1.0, a + q * stride_a, lda, 0.0, cq,
                  ldc);
    for (int j = 1; j < n; ++j)  // mirror the lower triangle: every reader sees a full matrix
      for (int i = 0; i < j; ++i)
        cq[i + static_cast<std::ptrdiff_t>(j) * ldc] = cq[j + static_cast<std::ptrdiff_t>(i) * ldc];
  }
}

void HostBlasBatchedOps::getrf(int n, double* const* a, int lda, int* pivots, int* info,
                               int batch) const {
  if (pivots == nullptr || n <= kSolveByLoops) {
    HostBatchedOps::getrf(n, a, lda, pivots, info, batch);
    return;
  }
  for (int q = 0; q < batch; ++q)
    dgetrf_(&n, &n, a[q], &lda, pivots + static_cast<std::ptrdiff_t>(q) * n, &info[q]);
}

void HostBlasBatchedOps::getrs(int n, int nrhs, double* const* a, int lda, const int* pivots,
                               double* const* b, int ldb, int batch) const {
  if (n <= kSolveByLoops) {
    HostBatchedOps::getrs(n, nrhs, a, lda, pivots, b, ldb, batch);
    return;
  }
  const char trans = 'N';
  for (int q = 0; q < batch; ++q) {
    int info = 0;  // nonzero only for an invalid argument, which the callers never pass
    dgetrs_(&trans, &n, &nrhs, a[q], &lda, pivots + static_cast<std::ptrdiff_t>(q) * n, b[q], &ldb,
            &info);
  }
}

}  // namespace relusim
