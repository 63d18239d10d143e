#include "relusim/reproduce/exact.hpp"

#include <cmath>
#include <stdexcept>

#include "relusim/models/a/theory.hpp"

namespace relusim {
namespace {

/// Continued fraction of the incomplete beta function (modified Lentz).
double beta_continued_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0, d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < 1e-16) return h;
  }
  throw std::runtime_error("incomplete beta: no convergence");
}

/// log I_x(a, b), the regularised incomplete beta function, for x in (0, 1).
double log_incomplete_beta(double a, double b, double x) {
  const double log_front =
      a * std::log(x) + b * std::log1p(-x) - std::lgamma(a) - std::lgamma(b) + std::lgamma(a + b);
  if (x < (a + 1.0) / (a + b + 2.0))
    return log_front + std::log(beta_continued_fraction(a, b, x) / a);
  return std::log1p(-std::exp(log_front) * beta_continued_fraction(b, a, 1.0 - x) / b);
}

/// log of ball_cap_fraction for 0 < h/R <= 1 (at most half the ball): the cap is
/// I_{sin^2 phi}((d + 1)/2, 1/2) / 2 with sin^2 phi = (h/R)(2 - h/R).
double log_small_cap_fraction(int d, double h_over_r) {
  const double x = h_over_r * (2.0 - h_over_r);
  if (x >= 1.0) return std::log(0.5);
  return std::log(0.5) + log_incomplete_beta(0.5 * (d + 1), 0.5, x);
}

}  // namespace

double ball_cap_fraction(int d, double h_over_r) {
  if (d < 1) throw std::invalid_argument("ball_cap_fraction: d must be >= 1");
  if (h_over_r <= 0.0) return 0.0;
  if (h_over_r >= 2.0) return 1.0;
  if (h_over_r <= 1.0) return std::exp(log_small_cap_fraction(d, h_over_r));
  return 1.0 - std::exp(log_small_cap_fraction(d, 2.0 - h_over_r));
}

double p_start_in_omega(int d, double r) {
  if (!(r > 0.0)) throw std::invalid_argument("p_start_in_omega: r must be > 0");
  if (r >= 2.0) return std::pow(r, -d);  // Omega lies inside the ball
  // The spheres |w| = r and |w - w*| = 1 (|w*| = 1) meet in the plane w.e* = a = r^2 / 2.
  const double a = r * r / 2.0;
  const double in_ball_cap = ball_cap_fraction(d, (r - a) / r);  // of B_r, beyond the plane
  // Omega's cap before the plane, as a fraction of B_r: (cap of Omega) / r^d, in log space
  // (the cap is tiny and r^-d huge for small r and large d).
  const double omega_part = a <= 1.0 ? std::exp(log_small_cap_fraction(d, a) - d * std::log(r))
                                     : ball_cap_fraction(d, a) * std::pow(r, -d);
  return in_ball_cap + omega_part;
}

double eps_of_radius(int d, double r) {
  return r / ball_radius(d, 1.0);
}

double log_log_slope(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.size() < 2)
    throw std::invalid_argument("log_log_slope: needs two or more points");
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double n = static_cast<double>(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double lx = std::log(x[i]), ly = std::log(y[i]);
    sx += lx;
    sy += ly;
    sxx += lx * lx;
    sxy += lx * ly;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

double closed_form_relative_error(int d, double theta, std::int64_t n, InputDistribution dist,
                                  std::uint64_t seed, std::uint32_t pair) {
  if (d < 2) throw std::invalid_argument("closed_form_relative_error: d must be >= 2");
  std::vector<double> e(static_cast<std::size_t>(d)), v(e.size()), w(e.size()), x(e.size());
  // A random plane: e, then v orthogonal to it (Gram-Schmidt), both from the pair's stream.
  fill_random_row(seed, pair, StreamPurpose::test, 0, InputDistribution::gaussian, d, e.data());
  fill_random_row(seed, pair, StreamPurpose::test, 1, InputDistribution::gaussian, d, v.data());
  double ee = 0, ev = 0;
  for (int k = 0; k < d; ++k)
    ee += e[k] * e[k];
  for (int k = 0; k < d; ++k)
    e[k] /= std::sqrt(ee);
  for (int k = 0; k < d; ++k)
    ev += e[k] * v[k];
  double vv = 0;
  for (int k = 0; k < d; ++k) {
    v[k] -= ev * e[k];
    vv += v[k] * v[k];
  }
  for (int k = 0; k < d; ++k)
    w[k] = std::cos(theta) * e[k] + std::sin(theta) * v[k] / std::sqrt(vv);
  std::vector<double> f(e.size(), 0.0);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto row = static_cast<std::uint64_t>(i) + 2;
    if (dist == InputDistribution::gaussian)
      fill_normal_row(seed, pair, StreamPurpose::test, row, d, x.data());
    else
      fill_random_row(seed, pair, StreamPurpose::test, row, dist, d, x.data());
    double xe = 0, xw = 0;
    for (int k = 0; k < d; ++k) {
      xe += x[k] * e[k];
      xw += x[k] * w[k];
    }
    if (xe > 0 && xw > 0)
      for (int k = 0; k < d; ++k)
        f[k] += x[k] * xw;
  }
  const std::vector<double> ef = expected_f(e, w, n);
  double fe = 0, ee2 = 0, ff = 0;
  for (int k = 0; k < d; ++k) {
    fe += f[k] * ef[k];
    ee2 += ef[k] * ef[k];
    ff += f[k] * f[k];
  }
  const double c = dist == InputDistribution::gaussian ? 1.0 : fe / ee2;
  double err = 0;
  for (int k = 0; k < d; ++k)
    err += (c * ef[k] - f[k]) * (c * ef[k] - f[k]);
  return std::sqrt(err / ff);
}

}  // namespace relusim
