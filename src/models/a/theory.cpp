#include "relusim/models/a/theory.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "relusim/models/a/dynamics.hpp"

namespace relusim {
namespace {

// Up to N = 62 the sum of binomials fits in 64 bits (C(62, 31) * 32 < 2^64): exact, one rounding.
constexpr std::int64_t kExactAkMaxN = 62;

double exact_a_k(std::int64_t n, std::int64_t k) {
  std::uint64_t c = 1, sum = 1;
  for (std::int64_t i = 1; i <= k; ++i) {
    c = c * static_cast<std::uint64_t>(n - i + 1) / static_cast<std::uint64_t>(i);
    sum += c;
  }
  return std::ldexp(static_cast<double>(sum), -static_cast<int>(n));
}

}  // namespace

double log_a_k(std::int64_t n, std::int64_t k) {
  if (k < 0) return -std::numeric_limits<double>::infinity();
  if (k >= n) return 0.0;
  if (n <= kExactAkMaxN) return std::log(exact_a_k(n, k));
  const double lg_n1 = std::lgamma(static_cast<double>(n) + 1.0);
  // log C(N, i) for i = 0..k; the largest term is i = k when k < N/2, otherwise near N/2.
  double max_term = -std::numeric_limits<double>::infinity();
  std::vector<double> terms(static_cast<std::size_t>(k + 1));
  for (std::int64_t i = 0; i <= k; ++i) {
    const double t = lg_n1 - std::lgamma(static_cast<double>(i) + 1.0) -
                     std::lgamma(static_cast<double>(n - i) + 1.0);
    terms[static_cast<std::size_t>(i)] = t;
    max_term = std::max(max_term, t);
  }
  double s = 0.0;
  for (double t : terms)
    s += std::exp(t - max_term);
  return std::min(0.0, hd::fma(-static_cast<double>(n), std::log(2.0), max_term + std::log(s)));
}

double a_k(std::int64_t n, std::int64_t k) {
  if (k >= 0 && k < n && n <= kExactAkMaxN) return exact_a_k(n, k);
  return std::exp(log_a_k(n, k));
}

double tian_bound(double eps) {
  return (1.0 - eps) / 2.0;
}

double kong_bound(double eps, std::int64_t n, std::int64_t d) {
  return (1.0 - eps) * (1.0 - a_k(n, d)) / 2.0;
}

double ball_radius(int d, double eps) {
  return eps * std::sqrt(2.0 * hd::kPi / (static_cast<double>(d) + 1.0));
}

double tight_ball_radius(int d, double eps) {
  const double dd = static_cast<double>(d);
  return eps * std::sqrt(hd::kPi) *
         std::exp(std::lgamma((dd + 1.0) / 2.0) - std::lgamma(hd::fma(dd, 0.5, 1.0)));
}

namespace {
double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    s = hd::fma(a[i], b[i], s);
  return s;
}
}  // namespace

std::vector<double> expected_f(const std::vector<double>& e, const std::vector<double>& w,
                               std::int64_t n) {
  const double nw = std::sqrt(dot(w, w)), ne = std::sqrt(dot(e, e));
  const double theta = hd::angle_from_cos(dot(e, w) / (nw * ne));
  const double c = static_cast<double>(n) / (2.0 * hd::kPi);
  std::vector<double> f(w.size());
  for (std::size_t j = 0; j < w.size(); ++j)
    f[j] = c * hd::fma(hd::kPi - theta, w[j], nw * std::sin(theta) * e[j] / ne);
  return f;
}

std::vector<double> sample_f(const std::vector<double>& x, int n, int d,
                             const std::vector<double>& e, const std::vector<double>& w) {
  std::vector<double> f(static_cast<std::size_t>(d), 0.0);
  for (int i = 0; i < n; ++i) {
    const double* xi = x.data() + static_cast<std::size_t>(i) * d;
    double ze = 0.0, zw = 0.0;
    for (int j = 0; j < d; ++j) {
      ze = hd::fma(xi[j], e[j], ze);
      zw = hd::fma(xi[j], w[j], zw);
    }
    if (ze > 0.0 && zw > 0.0)
      for (int j = 0; j < d; ++j)
        f[j] = hd::fma(xi[j], zw, f[j]);
  }
  return f;
}

std::vector<double> expected_delta(const std::vector<double>& w,
                                   const std::vector<double>& w_star) {
  SerialTeam team;
  const int d = static_cast<int>(w.size());
  const StateNorms<double> norms = state_norms(team, w.data(), w_star.data(), d);
  std::vector<double> g(w.size());
  expected_gradient(team, norms, w.data(), w_star.data(), d, g.data());
  return g;
}

std::array<double, 4> kong_m(double theta) {
  const double off = hd::fma(-(2.0 * hd::kPi - theta), std::cos(theta), -std::sin(theta));
  const double c = 1.0 / (4.0 * hd::kPi);
  return {c * 2.0 * hd::kPi, c * off, c * off,
          c * (std::sin(2.0 * theta) + 2.0 * hd::kPi - 2.0 * theta)};
}

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

}  // namespace relusim
