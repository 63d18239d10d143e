// Small dense row-major linear algebra on the host, in double: the stationarity residual of the
// targets, and an independent reference (Cholesky, pivoted elimination) that the batched target
// code (batched_targets.hpp) is tested against.
#pragma once

#include <vector>

namespace relusim {

/// Row-major n x n matrix.
struct SquareMatrix {
  int n = 0;
  std::vector<double> a;
  SquareMatrix() = default;
  explicit SquareMatrix(int size) : n(size), a(static_cast<std::size_t>(size) * size, 0.0) {}
  double& operator()(int i, int j) { return a[static_cast<std::size_t>(i) * n + j]; }
  double operator()(int i, int j) const { return a[static_cast<std::size_t>(i) * n + j]; }
};

/// Cholesky factor L (lower) of a symmetric matrix; false when it is not positive definite.
bool cholesky(const SquareMatrix& m, SquareMatrix& l);

/// Solves m x = b by LU with partial pivoting; false when m is numerically singular.
bool lu_solve(SquareMatrix m, std::vector<double>& b);

/// The eigenvalues of a symmetric matrix (its lower triangle is read), ascending: LAPACK dsyev
/// (OpenBLAS). Throws std::runtime_error if LAPACK reports a failure.
std::vector<double> symmetric_eigenvalues(SquareMatrix m);

/// y = m x.
std::vector<double> multiply(const SquareMatrix& m, const std::vector<double>& x);

/// X^T D X for a row-major rows x d design and a 0/1 row mask.
SquareMatrix masked_gram(const double* x, int rows, int d, const std::vector<char>& mask);

}  // namespace relusim
