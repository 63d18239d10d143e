// Exact values and small numerical experiments behind `relusim reproduce` (MODEL.md §1.2, §1.4,
// §4): computed, not sampled, where the papers allow it.
#pragma once

#include <cstdint>
#include <vector>

#include "relusim/core/random.hpp"

namespace relusim {

/// The fraction of a d-dimensional ball of radius R cut off by a plane at height h from its
/// surface (0 <= h <= 2R): c_d * int_0^phi sin^d t dt, cos phi = 1 - h/R.
double ball_cap_fraction(int d, double h_over_r);

/// P(w in Omega) for w uniform in the ball {|w| <= r |w*|}, Omega = {|w - w*| < |w*|} (Tian
/// Fig. 2(b), Thm 3.3's proof): the volume of the two balls' lens over the ball's volume.
double p_start_in_omega(int d, double r);

/// eps such that r = eps * sqrt(2 pi / (d + 1)) (the inverse of ball_radius).
double eps_of_radius(int d, double r);

/// Least-squares slope of log(y) against log(x).
double log_log_slope(const std::vector<double>& x, const std::vector<double>& y);

/// Tian §5.1 / Fig. 3: F(e, w) = sum_i x_i 1[x_i.e > 0] 1[x_i.w > 0] (x_i.w) over n samples of
/// the distribution `dist` (row r of stream (seed, pair)), against the closed form E[F] =
/// n/(2 pi) ((pi - theta) w + |w| sin(theta) e) for Gaussian inputs. For other inputs the
/// closed form holds up to a scale (Tian: "computed up to a scaling constant"): the error uses
/// the least-squares scale c minimising |c E[F] - F|. e and w are unit vectors at angle theta
/// in a random plane of R^d. Returns |c E[F] - F| / |F| (c = 1 for Gaussian inputs).
double closed_form_relative_error(int d, double theta, std::int64_t n, InputDistribution dist,
                                  std::uint64_t seed, std::uint32_t pair);

}  // namespace relusim
