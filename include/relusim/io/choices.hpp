// Choices shared by the models (MODEL.md §0, §1.1, §1.2, §2.1, §5): data mode, criterion, teacher
// and initialisation kinds, the common keys of a cell (io/config.hpp). Each model's registration
// lists which of them it accepts; a model's own choices live in its folder.
#pragma once

#include "relusim/core/random.hpp"  // InputDistribution

namespace relusim {

enum class DataMode : int { fixed = 0, online = 1, expected = 2 };

/// Rows of data a trajectory keeps: N (fixed design), the minibatch size (online), none
/// (expected: the population gradient).
RELUSIM_HD inline int data_rows(DataMode mode, int n_samples, int minibatch) {
  return mode == DataMode::fixed ? n_samples : (mode == DataMode::online ? minibatch : 0);
}
enum class Criterion : int { distance = 0, angle = 1, loss = 2 };
enum class InitKind : int {
  ball = 0,        ///< uniform in a ball (A: Tian Thm 3.3's radius; B: per unit)
  ball_tight = 1,  ///< A: the proof's tight radius
  gaussian = 2,    ///< N(0, sigma^2), sigma = init_scale / sqrt(d)
  zero = 3,
  explicit_vector = 4,  ///< A: a vector; B: a K x d matrix, row-major
  symmetric = 5,        ///< B: w_j = x w*_j + y sum_{j' != j} w*_j' (Tian Thm 4.1)
  noise = 6,            ///< B: 1e-3 W* + N(0, 1e-3 * level) (Tian Fig. 5)
  xavier = 7,  ///< B: N(0, sigma^2), sigma = init_scale sqrt(2 / (d + K)) (Glorot & Bengio)
};
enum class TeacherKind : int {
  ones = 0,                ///< A: w* = (1, ..., 1)
  explicit_vector = 1,     ///< A: a vector; B: a K x d matrix, row-major
  random = 2,              ///< random direction(s) of norm teacher_norm (B: every row)
  orthonormal = 3,         ///< B: the first K standard basis vectors of R^d
  random_orthonormal = 4,  ///< B: K random orthonormal rows
};

}  // namespace relusim
