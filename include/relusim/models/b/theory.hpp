// Closed forms for Model B (MODEL.md §2; Tian §4, Thm 4.1): the symmetric saddle x*(K), the 2-D
// reduced field of the symmetric structure, and the K-unit expected update it projects from.
#pragma once

#include <iosfwd>

#include <vector>

#include "relusim/models/b/types.hpp"

namespace relusim {

/// Tian Thm 4.1: x*(K) = (sqrt(K - 1) - arccos(1/sqrt(K)) + pi) / (pi K).
double tian_saddle_x(int K);

/// The field (dx, dy) of the symmetric structure w_j = x e_j + y sum_{j' != j} e_j' under the
/// expected update (top weights 1, orthonormal teacher).
struct SymmetricField {
  double dx;
  double dy;
};

/// Closed form, derived in docs/model.md from Tian (12)-(13) (the printed (16) is damaged).
SymmetricField symmetric_field(int K, double x, double y);

/// The population loss 1/2 E[(g(x; W*) - g(x; W))^2] of the same symmetric W (top weights 1,
/// W* = I), in closed form from E[relu(a.x) relu(b.x)] = |a||b| (sin t + (pi - t) cos t) / (2 pi)
/// (t the angle between a and b): the level the field of `relusim field --model B` flows down.
double symmetric_loss(int K, double x, double y);

/// The same field obtained by projecting the K-unit expected update (the simulator's own
/// single-source code, d = K) of the symmetric W onto (e_1, sum_{j != 1} e_j).
SymmetricField projected_symmetric_field(int K, double x, double y);

/// The expected update E[Delta W] (K x d, row-major) at W for teacher W* with top weights `a`
/// (empty: ones), per sample, as the simulator computes it; `loss` receives the population loss.
std::vector<double> model_b_expected_update(int K, int d, const std::vector<double>& w,
                                            const std::vector<double>& w_star,
                                            const std::vector<double>& a, double* loss = nullptr);
/// The same for a student of K units (top weights `a`) and a teacher of K_teacher units
/// (K_teacher x d, top weights `a_teacher`; empty: ones).
std::vector<double> model_b_expected_update(
    int K, int K_teacher, int d, const std::vector<double>& w, const std::vector<double>& w_star,
    const std::vector<double>& a, const std::vector<double>& a_teacher, double* loss = nullptr);

struct TheoryQuery;
struct TheoryEntry;
/// `relusim theory` for Model B (ModelInfo::theory; src/models/b/theory_print.cpp).
std::vector<TheoryEntry> model_b_theory(const TheoryQuery& q);

}  // namespace relusim
