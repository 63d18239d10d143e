// Model C's teachers and initial students (MODEL.md §3.1), made on the host for every backend:
// zero, Gaussian entries scaled to a spectral norm, a prescribed spectrum U diag(s) V^T with
// Haar-random U and V, or a given matrix. Dense factorisations come from LAPACK (OpenBLAS).
// Matrices are d x d column-major (column c is unit c).
#pragma once

#include <cstdint>
#include <vector>

#include "relusim/core/random.hpp"
#include "relusim/models/c/types.hpp"

namespace relusim {

/// Singular values with largest `spectral` and root-sum-square `frobenius`: one at `spectral`,
/// the other d - 1 equal. Throws ConfigError(key) unless spectral <= frobenius <= sqrt(d)
/// spectral (the pair is feasible exactly then).
std::vector<double> prescribed_spectrum(int d, double spectral, double frobenius, const char* key);

/// A Haar-random orthogonal d x d matrix: the Q of a Gaussian matrix's QR (LAPACK dgeqrf and
/// dorgqr), columns signed so that R has a positive diagonal. Gaussian columns come from rows
/// row0 .. row0 + d - 1 of the stream.
void haar_orthogonal(std::uint64_t seed, std::uint32_t id, StreamPurpose purpose,
                     std::uint64_t row0, int d, double* q);

/// Singular values of a d x d column-major matrix, largest first (LAPACK dgesdd).
std::vector<double> singular_values(const double* a, int d);

/// The teacher W* (purpose teacher) or the initial W (purpose init) of trajectory `id`.
void model_c_matrix(MatrixKind kind, double spectral, double frobenius, const double* given,
                    std::uint64_t seed, std::uint32_t id, StreamPurpose purpose, int d,
                    double* out);

/// Both matrices of a trajectory, and its convergence threshold (tol |W*|_F, or tol when
/// W* = 0).
void model_c_start(const ModelCParams& p, std::uint32_t id, double* w0, double* w_star,
                   double& threshold);

}  // namespace relusim
