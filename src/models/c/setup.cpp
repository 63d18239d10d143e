#include "relusim/models/c/setup.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "relusim/core/blas_ops_host.hpp"
#include "relusim/io/config.hpp"

extern "C" {
// LAPACK (in OpenBLAS), Fortran calling convention; the trailing size_t is the hidden length
// of a character argument.
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work,
             const int* lwork, int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau,
             double* work, const int* lwork, int* info);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s,
             double* u, const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork,
             int* iwork, int* info, std::size_t jobz_len);
}

namespace relusim {
namespace {

void check_info(const char* routine, int info) {
  if (info != 0)
    throw std::runtime_error(std::string("LAPACK ") + routine + " failed (info " +
                             std::to_string(info) + ")");
}

std::size_t square(int d) {
  return static_cast<std::size_t>(d) * static_cast<std::size_t>(d);
}

void gaussian_columns(std::uint64_t seed, std::uint32_t id, StreamPurpose purpose,
                      std::uint64_t row0, int d, double* a) {
  for (int c = 0; c < d; ++c)
    fill_random_row(seed, id, purpose, row0 + static_cast<std::uint64_t>(c),
                    InputDistribution::gaussian, d, a + static_cast<std::size_t>(c) * d);
}

}  // namespace

std::vector<double> prescribed_spectrum(int d, double spectral, double frobenius, const char* key) {
  if (!(spectral >= 0.0) || !(frobenius >= 0.0) || !std::isfinite(spectral) ||
      !std::isfinite(frobenius))
    throw ConfigError(key, "the spectral and Frobenius norms must be finite and >= 0");
  const double slack = 1e-12 * (spectral + frobenius);
  if (frobenius + slack < spectral ||
      frobenius > std::sqrt(static_cast<double>(d)) * spectral + slack)
    throw ConfigError(key, "no d x d matrix has spectral norm " + std::to_string(spectral) +
                               " and Frobenius norm " + std::to_string(frobenius) +
                               ": need spectral <= frobenius <= sqrt(d) spectral = " +
                               std::to_string(std::sqrt(static_cast<double>(d)) * spectral));
  std::vector<double> s(static_cast<std::size_t>(d), 0.0);
  s[0] = spectral;
  if (d > 1) {
    const double rest = std::max(0.0, frobenius * frobenius - spectral * spectral);
    const double r = std::min(spectral, std::sqrt(rest / (d - 1)));
    for (int i = 1; i < d; ++i)
      s[static_cast<std::size_t>(i)] = r;
  }
  return s;
}

void haar_orthogonal(std::uint64_t seed, std::uint32_t id, StreamPurpose purpose,
                     std::uint64_t row0, int d, double* q) {
  gaussian_columns(seed, id, purpose, row0, d, q);
  std::vector<double> tau(static_cast<std::size_t>(d));
  int info = 0, lwork = -1;
  double query = 0.0;
  dgeqrf_(&d, &d, q, &d, tau.data(), &query, &lwork, &info);
  check_info("dgeqrf", info);
  lwork = static_cast<int>(query);
  std::vector<double> work(static_cast<std::size_t>(std::max(lwork, 1)));
  dgeqrf_(&d, &d, q, &d, tau.data(), work.data(), &lwork, &info);
  check_info("dgeqrf", info);
  std::vector<double> sign(static_cast<std::size_t>(d));
  for (int c = 0; c < d; ++c)
    sign[static_cast<std::size_t>(c)] = q[static_cast<std::size_t>(c) * d + c] < 0.0 ? -1.0 : 1.0;
  lwork = -1;
  dorgqr_(&d, &d, &d, q, &d, tau.data(), &query, &lwork, &info);
  check_info("dorgqr", info);
  lwork = static_cast<int>(query);
  work.assign(static_cast<std::size_t>(std::max(lwork, 1)), 0.0);
  dorgqr_(&d, &d, &d, q, &d, tau.data(), work.data(), &lwork, &info);
  check_info("dorgqr", info);
  for (int c = 0; c < d; ++c)
    for (int r = 0; r < d; ++r)
      q[static_cast<std::size_t>(c) * d + r] *= sign[static_cast<std::size_t>(c)];
}

std::vector<double> singular_values(const double* a, int d) {
  std::vector<double> copy(a, a + square(d)), s(static_cast<std::size_t>(d));
  std::vector<int> iwork(8 * static_cast<std::size_t>(d));
  int info = 0, lwork = -1, one = 1;
  double query = 0.0, dummy = 0.0;
  dgesdd_("N", &d, &d, copy.data(), &d, s.data(), &dummy, &one, &dummy, &one, &query, &lwork,
          iwork.data(), &info, 1);
  check_info("dgesdd", info);
  lwork = static_cast<int>(query);
  std::vector<double> work(static_cast<std::size_t>(std::max(lwork, 1)));
  dgesdd_("N", &d, &d, copy.data(), &d, s.data(), &dummy, &one, &dummy, &one, work.data(), &lwork,
          iwork.data(), &info, 1);
  check_info("dgesdd", info);
  return s;
}

void model_c_matrix(MatrixKind kind, double spectral, double frobenius, const double* given,
                    std::uint64_t seed, std::uint32_t id, StreamPurpose purpose, int d,
                    double* out) {
  const std::size_t dd = square(d);
  switch (kind) {
    case MatrixKind::zero:
      for (std::size_t e = 0; e < dd; ++e)
        out[e] = 0.0;
      return;
    case MatrixKind::matrix:
      for (int r = 0; r < d; ++r)
        for (int c = 0; c < d; ++c)
          out[static_cast<std::size_t>(c) * d + r] = given[static_cast<std::size_t>(r) * d + c];
      return;
    case MatrixKind::gaussian: {
      gaussian_columns(seed, id, purpose, 0, d, out);
      const double top = singular_values(out, d).front();
      const double scale = top > 0.0 ? spectral / top : 0.0;
      for (std::size_t e = 0; e < dd; ++e)
        out[e] *= scale;
      return;
    }
    case MatrixKind::spectrum: {
      const std::vector<double> s = prescribed_spectrum(d, spectral, frobenius, "spectrum");
      std::vector<double> u(dd), v(dd);
      haar_orthogonal(seed, id, purpose, 0, d, u.data());
      haar_orthogonal(seed, id, purpose, static_cast<std::uint64_t>(d), d, v.data());
      // out = (U diag(s)) V^T
      for (int c = 0; c < d; ++c)
        for (int r = 0; r < d; ++r)
          u[static_cast<std::size_t>(c) * d + r] *= s[static_cast<std::size_t>(c)];
      host_gemm(BlasTrans::none, BlasTrans::transpose, d, d, d, 1.0, u.data(), d, 0, v.data(), d, 0,
                0.0, out, d, 0, 1);
      return;
    }
  }
}

void model_c_start(const ModelCParams& p, std::uint32_t id, double* w0, double* w_star,
                   double& threshold) {
  model_c_matrix(p.teacher, p.teacher_spectral, p.teacher_frobenius, p.teacher_matrix, p.seed, id,
                 StreamPurpose::teacher, p.d, w_star);
  model_c_matrix(p.init, p.init_spectral, p.init_frobenius, p.init_matrix, p.seed, id,
                 StreamPurpose::init, p.d, w0);
  double f = 0.0;
  for (std::size_t e = 0; e < square(p.d); ++e)
    f += w_star[e] * w_star[e];
  threshold = f > 0.0 ? p.tol * std::sqrt(f) : p.tol;
}

}  // namespace relusim
