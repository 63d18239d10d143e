#include "relusim/core/linalg.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "relusim/core/blas_ops_host.hpp"
#include "relusim/core/hd.hpp"

extern "C" {
// LAPACK (in OpenBLAS), Fortran calling convention; the trailing size_t are the hidden lengths of
// the character arguments.
void dsyev_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
            double* work, const int* lwork, int* info, std::size_t jobz_len, std::size_t uplo_len);
}

namespace relusim {

std::vector<double> symmetric_eigenvalues(SquareMatrix m) {
  const int n = m.n;
  std::vector<double> w(static_cast<std::size_t>(n));
  if (n == 0) return w;
  host_blas_single_threaded();  // callers run it on several threads of their own
  // Row-major lower = column-major upper: LAPACK reads the same triangle as 'U'.
  int info = 0, lwork = -1;
  double query = 0.0;
  dsyev_("N", "U", &n, m.a.data(), &n, w.data(), &query, &lwork, &info, 1, 1);
  if (info != 0) throw std::runtime_error("LAPACK dsyev workspace query failed");
  lwork = static_cast<int>(query);
  std::vector<double> work(static_cast<std::size_t>(std::max(1, lwork)));
  dsyev_("N", "U", &n, m.a.data(), &n, w.data(), work.data(), &lwork, &info, 1, 1);
  if (info != 0)
    throw std::runtime_error("LAPACK dsyev failed (info " + std::to_string(info) + ")");
  return w;
}

bool cholesky(const SquareMatrix& m, SquareMatrix& l) {
  const int n = m.n;
  l = SquareMatrix(n);
  double scale = 0.0;
  for (int i = 0; i < n; ++i)
    scale = std::fmax(scale, std::fabs(m(i, i)));
  for (int j = 0; j < n; ++j) {
    double s = m(j, j);
    for (int k = 0; k < j; ++k)
      s = hd::fma(-l(j, k), l(j, k), s);
    if (!(s > 1e-13 * scale)) return false;
    const double ljj = std::sqrt(s);
    l(j, j) = ljj;
    for (int i = j + 1; i < n; ++i) {
      double t = m(i, j);
      for (int k = 0; k < j; ++k)
        t = hd::fma(-l(i, k), l(j, k), t);
      l(i, j) = t / ljj;
    }
  }
  return true;
}

bool lu_solve(SquareMatrix m, std::vector<double>& b) {
  const int n = m.n;
  double scale = 0.0;
  for (double v : m.a)
    scale = std::fmax(scale, std::fabs(v));
  if (scale == 0.0) return false;
  for (int c = 0; c < n; ++c) {
    int p = c;
    for (int i = c + 1; i < n; ++i)
      if (std::fabs(m(i, c)) > std::fabs(m(p, c))) p = i;
    if (std::fabs(m(p, c)) <= 1e-14 * scale) return false;
    if (p != c) {
      for (int j = 0; j < n; ++j)
        std::swap(m(p, j), m(c, j));
      std::swap(b[static_cast<std::size_t>(p)], b[static_cast<std::size_t>(c)]);
    }
    for (int i = c + 1; i < n; ++i) {
      const double f = m(i, c) / m(c, c);
      for (int j = c; j < n; ++j)
        m(i, j) = hd::fma(-f, m(c, j), m(i, j));
      b[static_cast<std::size_t>(i)] =
          hd::fma(-f, b[static_cast<std::size_t>(c)], b[static_cast<std::size_t>(i)]);
    }
  }
  for (int i = n - 1; i >= 0; --i) {
    double s = b[static_cast<std::size_t>(i)];
    for (int j = i + 1; j < n; ++j)
      s = hd::fma(-m(i, j), b[static_cast<std::size_t>(j)], s);
    b[static_cast<std::size_t>(i)] = s / m(i, i);
  }
  return true;
}

std::vector<double> multiply(const SquareMatrix& m, const std::vector<double>& x) {
  std::vector<double> y(static_cast<std::size_t>(m.n), 0.0);
  for (int i = 0; i < m.n; ++i)
    for (int j = 0; j < m.n; ++j)
      y[static_cast<std::size_t>(i)] += m(i, j) * x[static_cast<std::size_t>(j)];
  return y;
}

SquareMatrix masked_gram(const double* x, int rows, int d, const std::vector<char>& mask) {
  SquareMatrix g(d);
  for (int r = 0; r < rows; ++r) {
    if (!mask[static_cast<std::size_t>(r)]) continue;
    const double* xr = x + static_cast<std::size_t>(r) * d;
    for (int i = 0; i < d; ++i)
      for (int j = 0; j <= i; ++j)
        g(i, j) = hd::fma(xr[i], xr[j], g(i, j));
  }
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < i; ++j)
      g(j, i) = g(i, j);
  return g;
}

}  // namespace relusim
