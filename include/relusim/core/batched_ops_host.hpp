// The batched linear algebra behind batched_targets.hpp on the host: the subset of cuBLAS it
// uses (strided-batched GEMM, the Gram matrices A^T A, batched LU with and without pivoting,
// batched LU solve), with cuBLAS's column-major layout, 1-based pivots and info codes.
//   HostBatchedOps      plain loops: the test oracle (tests check it against hand-computed
//                       answers, and HostBlasBatchedOps against it);
//   HostBlasBatchedOps  OpenBLAS and its LAPACK (DGEMM, DSYRK, DGETRF, DGETRS), one trajectory
//                       after another on the calling thread: what the CPU backend runs (the
//                       LU steps of small orders excepted, see below).
#pragma once

#include <cstdint>

#include "relusim/core/blas.hpp"

namespace relusim {

struct HostBatchedOps {
  /// C_b = op(A_b) op(B_b) for b < batch (alpha = 1, beta = 0); C_b is m x n.
  void gemm(BlasTrans ta, BlasTrans tb, int m, int n, int k, const double* a, int lda,
            std::int64_t stride_a, const double* b, int ldb, std::int64_t stride_b, double* c,
            int ldc, std::int64_t stride_c, int batch) const;

  /// C_b = A_b^T A_b for b < batch (A_b is k x n); both triangles of C_b are written.
  void gram(int n, int k, const double* a, int lda, std::int64_t stride_a, double* c, int ldc,
            std::int64_t stride_c, int batch) const;

  /// LU factorisation of each n x n a[b] in place; partial pivoting when `pivots` is not null
  /// (pivots[b * n + j] = 1-based row swapped with row j), none otherwise. info[b] = 0, or the
  /// 1-based index of the first exactly zero pivot (the factorisation goes on past it).
  void getrf(int n, double* const* a, int lda, int* pivots, int* info, int batch) const;

  /// Solves A_b X = B_b with the factors of getrf (pivots as getrf returned them).
  void getrs(int n, int nrhs, double* const* a, int lda, const int* pivots, double* const* b,
             int ldb, int batch) const;

  template <class Step>
  void for_each(int count, const Step& step) const {
    for (int k = 0; k < count; ++k)
      step(k);
  }

  /// How many of the states are still active (any state type with an `active` flag).
  template <class State>
  int count_active(const State* state, int count) const {
    int active = 0;
    for (int k = 0; k < count; ++k)
      active += state[k].active != 0 ? 1 : 0;
    return active;
  }
};

/// The same operations on OpenBLAS (single-threaded inside: the CPU backend parallelises over
/// trajectories). The unpivoted LU (Lemma 2's check) stays the plain loop: LAPACK has none, and
/// it is a third of one pivoted factorisation.
///
/// Factorisations and solves of order up to kSolveByLoops run the plain loops as well. Every
/// DGETRF and DGETRS call takes OpenBLAS's one buffer lock (blas_memory_alloc, a process-wide
/// mutex in Debian's 0.3.21), and at d = 5 the lock is the call (docs/benchmarks.md,
/// "Measurements behind the code"). A 16 x 16 LU is about 3,000 flops, a few microseconds in
/// the loops.
struct HostBlasBatchedOps : HostBatchedOps {
  /// Gram matrices up to this order come from GEMM (A^T A), larger ones from SYRK.
  static constexpr int kGramByGemm = 32;
  /// LU factorisations and solves up to this order run HostBatchedOps's loops.
  static constexpr int kSolveByLoops = 16;
  void gemm(BlasTrans ta, BlasTrans tb, int m, int n, int k, const double* a, int lda,
            std::int64_t stride_a, const double* b, int ldb, std::int64_t stride_b, double* c,
            int ldc, std::int64_t stride_c, int batch) const;
  void gram(int n, int k, const double* a, int lda, std::int64_t stride_a, double* c, int ldc,
            std::int64_t stride_c, int batch) const;
  void getrf(int n, double* const* a, int lda, int* pivots, int* info, int batch) const;
  void getrs(int n, int nrhs, double* const* a, int lda, const int* pivots, double* const* b,
             int ldb, int batch) const;
};

}  // namespace relusim
