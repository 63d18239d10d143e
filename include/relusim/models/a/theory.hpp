// Closed forms of the papers (MODEL.md §1.1, §1.2, §1.4): what simulations are compared with.
#pragma once

#include <iosfwd>

#include <array>
#include <cstdint>
#include <vector>

namespace relusim {

/// log A_k, A_k = 2^-N sum_{i<=k} C(N, i) (Kong Lemma 1), in log space: exact for N up to 10^7+.
double log_a_k(std::int64_t n, std::int64_t k);
/// A_k itself (underflows to 0 gracefully for huge N).
double a_k(std::int64_t n, std::int64_t k);

/// Tian Thm 3.3: P(converge) >= (1 - eps) / 2 (lambda = 0).
double tian_bound(double eps);
/// Kong Thm 5: P(converge) >= (1 - eps)(1 - A_d) / 2 (small lambda, l1 or l2).
double kong_bound(double eps, std::int64_t n, std::int64_t d);

/// Ball radius of Tian Thm 3.3 / Kong Thm 5 per unit |w*|: eps * sqrt(2 pi / (d + 1)).
double ball_radius(int d, double eps);
/// The proof's tight radius per unit |w*|: eps * sqrt(pi) * Gamma((d+1)/2) / Gamma(d/2 + 1).
double tight_ball_radius(int d, double eps);

/// The fraction of a d-dimensional ball of radius R cut off by a plane at height h from its
/// surface (0 <= h <= 2R): c_d * int_0^phi sin^d t dt, cos phi = 1 - h/R.
double ball_cap_fraction(int d, double h_over_r);

/// P(w in Omega) for w uniform in the ball {|w| <= r |w*|}, Omega = {|w - w*| < |w*|} (Tian
/// Fig. 2(b), Thm 3.3's proof): the volume of the two balls' lens over the ball's volume.
double p_start_in_omega(int d, double r);

/// E[F(e, w)] of Tian Lemma 3.1 for N samples and a unit vector e:
/// N/(2 pi) * ((pi - theta) w + |w| sin(theta) e), theta = theta(e, w).
std::vector<double> expected_f(const std::vector<double>& e, const std::vector<double>& w,
                               std::int64_t n);

/// F(e, w) = X^T D(e) D(w) X w for a row-major N x d design X.
std::vector<double> sample_f(const std::vector<double>& x, int n, int d,
                             const std::vector<double>& e, const std::vector<double>& w);

/// E[Delta_data](w) of MODEL.md §1.1 (population gradient, per sample), computed with the
/// same single-source function the simulator runs.
std::vector<double> expected_delta(const std::vector<double>& w, const std::vector<double>& w_star);

/// Kong (21): the 2x2 matrix M(theta), row-major.
std::array<double, 4> kong_m(double theta);

struct TheoryQuery;
struct TheoryEntry;
/// `relusim theory` for Model A (ModelInfo::theory; src/models/a/theory_print.cpp).
std::vector<TheoryEntry> model_a_theory(const TheoryQuery& q);

}  // namespace relusim
