// Exact values and small numerical experiments behind `relusim reproduce` (MODEL.md §1.2, §1.4,
// §4): computed, not sampled, where the papers allow it.
#pragma once

#include <cstdint>
#include <vector>

#include "relusim/core/random.hpp"
#include "relusim/models/a/theory.hpp"  // ball_cap_fraction, p_start_in_omega

namespace relusim {

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
