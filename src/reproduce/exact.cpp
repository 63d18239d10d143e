#include "relusim/reproduce/exact.hpp"

#include <cmath>
#include <stdexcept>

#include "relusim/models/a/theory.hpp"

namespace relusim {
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
