#include "relusim/targets.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "relusim/linalg.hpp"

namespace relusim {
namespace {

std::vector<double> sign_of(const std::vector<double>& w) {
  std::vector<double> s(w.size());
  for (std::size_t j = 0; j < w.size(); ++j)
    s[j] = hd::sign(w[j]);
  return s;
}

double norm1(const std::vector<double>& w) {
  double s = 0.0;
  for (double v : w)
    s += std::fabs(v);
  return s;
}

double norm2(const std::vector<double>& w) {
  double s = 0.0;
  for (double v : w)
    s += v * v;
  return std::sqrt(s);
}

/// (X v)_i for all rows.
std::vector<double> design_times(const double* x, int rows, int d, const std::vector<double>& v) {
  std::vector<double> z(static_cast<std::size_t>(rows), 0.0);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < d; ++j)
      z[static_cast<std::size_t>(i)] +=
          x[static_cast<std::size_t>(i) * d + j] * v[static_cast<std::size_t>(j)];
  return z;
}

/// max_i sum_j |(X M)_ij|: the infinity norm of the rows x d matrix X M.
double design_times_matrix_inf_norm(const double* x, int rows, int d, const SquareMatrix& m) {
  double best = 0.0;
  for (int i = 0; i < rows; ++i) {
    double row = 0.0;
    for (int j = 0; j < d; ++j) {
      double v = 0.0;
      for (int k = 0; k < d; ++k)
        v += x[static_cast<std::size_t>(i) * d + k] * m(k, j);
      row += std::fabs(v);
    }
    best = std::max(best, row);
  }
  return best;
}

/// Kong's small-lambda bound for this regulariser: (17) l2, (33) l1sq, and for the plain l1
/// penalty the same argument applied to w_hat = w* -/+ (lambda N / 2) Bm^-1 s.
double kong_lambda_bound(const ModelAParams& p, const double* x, const std::vector<double>& w_star,
                         const std::vector<double>& xw_star, const SquareMatrix& bm_inv) {
  const int n = p.n_samples, d = p.d;
  double bound = std::numeric_limits<double>::infinity();
  if (p.regularizer == Regularizer::l2) {
    const std::vector<double> v = design_times(x, n, d, multiply(bm_inv, w_star));
    for (int i = 0; i < n; ++i) {
      const double num = std::fabs(xw_star[static_cast<std::size_t>(i)]);
      const double den = std::fabs(v[static_cast<std::size_t>(i)]);
      if (den > 0.0) bound = std::min(bound, num / den);
    }
    return bound / (2.0 * n);
  }
  const double xm_inf = design_times_matrix_inf_norm(x, n, d, bm_inv);
  if (p.regularizer == Regularizer::l1sq) {
    double min_active = std::numeric_limits<double>::infinity();
    for (double z : xw_star)
      if (z > 0.0) min_active = std::min(min_active, z);
    return min_active / (4.0 * n * norm1(w_star) * xm_inf);
  }
  double min_abs = std::numeric_limits<double>::infinity();
  for (double z : xw_star)
    min_abs = std::min(min_abs, std::fabs(z));
  return min_abs / (static_cast<double>(n) * xm_inf);
}

}  // namespace

std::vector<double> fixed_stationarity_residual(const ModelAParams& p, const double* x,
                                                const double* w_star,
                                                const std::vector<double>& w) {
  const int n = p.n_samples, d = p.d;
  const std::vector<double> ws(w_star, w_star + d);
  const std::vector<double> xws = design_times(x, n, d, ws);
  std::vector<char> mask(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    mask[static_cast<std::size_t>(i)] = xws[static_cast<std::size_t>(i)] > 0.0;
  const SquareMatrix bm = masked_gram(x, n, d, mask);
  std::vector<double> diff(static_cast<std::size_t>(d));
  for (int j = 0; j < d; ++j)
    diff[static_cast<std::size_t>(j)] =
        ws[static_cast<std::size_t>(j)] - w[static_cast<std::size_t>(j)];
  std::vector<double> f = multiply(bm, diff);
  const double nf = n * regularizer_factor(p);
  const double l1 = norm1(w);
  for (int j = 0; j < d; ++j)
    f[static_cast<std::size_t>(j)] +=
        nf * regularizer_gradient(p.regularizer, w[static_cast<std::size_t>(j)], l1);
  return f;
}

TargetInfo fixed_mode_target(const ModelAParams& p, const double* x, const double* w_star) {
  const int n = p.n_samples, d = p.d;
  TargetInfo info;
  info.design_checked = true;
  const std::vector<double> ws(w_star, w_star + d);
  info.target = ws;
  const std::vector<double> xws = design_times(x, n, d, ws);
  std::vector<char> mask(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    mask[static_cast<std::size_t>(i)] = xws[static_cast<std::size_t>(i)] > 0.0;
  const SquareMatrix bm = masked_gram(x, n, d, mask);
  SquareMatrix l;
  info.positive_definite = cholesky(bm, l);

  const bool regularized = p.regularizer != Regularizer::none && p.lambda > 0.0;
  if (!info.positive_definite) {
    info.lambda_bound = 0.0;
    info.lambda_within_bound = !regularized;
    info.target_valid = !regularized;  // with lambda = 0, w* is a target whatever Bm is
    info.solved = !regularized;
    return info;
  }
  SquareMatrix bm_inv;
  inverse(bm, bm_inv);
  if (p.regularizer != Regularizer::none) {
    info.lambda_bound = kong_lambda_bound(p, x, ws, xws, bm_inv);
    info.lambda_within_bound = p.lambda <= info.lambda_bound;
  }
  if (!regularized) return info;

  const double nf = n * regularizer_factor(p);  // -lambda N / 2 (descent) or +lambda N / 2
  std::vector<double> w = ws;
  bool solved = false;
  switch (p.regularizer) {
    case Regularizer::l2: {  // (Bm - 2 nf I) w = Bm w*
      SquareMatrix a = bm;
      for (int j = 0; j < d; ++j)
        a(j, j) -= 2.0 * nf;
      w = multiply(bm, ws);
      solved = lu_solve(a, w);
      break;
    }
    case Regularizer::l1sq: {  // Newton on F(w) = Bm (w* - w) + 2 nf |w|_1 sign(w), Kong (25)-(26)
      for (int it = 0; it < 100 && !solved; ++it) {
        const std::vector<double> f = fixed_stationarity_residual(p, x, w_star, w);
        const std::vector<double> s = sign_of(w);
        SquareMatrix jac(d);
        for (int i = 0; i < d; ++i)
          for (int j = 0; j < d; ++j)
            jac(i, j) = -bm(i, j) +
                        2.0 * nf * s[static_cast<std::size_t>(i)] * s[static_cast<std::size_t>(j)];
        std::vector<double> step = f;
        if (!lu_solve(jac, step)) break;
        double step_norm = 0.0;
        for (int j = 0; j < d; ++j) {
          w[static_cast<std::size_t>(j)] -= step[static_cast<std::size_t>(j)];
          step_norm = std::max(step_norm, std::fabs(step[static_cast<std::size_t>(j)]));
        }
        if (step_norm <= 1e-13 * norm2(ws)) {
          solved = sign_of(w) == s;  // the sign pattern the step assumed still holds
        }
      }
      break;
    }
    case Regularizer::l1: {  // w = w* + nf Bm^-1 s, iterated on the sign pattern s
      std::vector<double> s = sign_of(ws);
      for (int it = 0; it < 64 && !solved; ++it) {
        const std::vector<double> corr = multiply(bm_inv, s);
        for (int j = 0; j < d; ++j)
          w[static_cast<std::size_t>(j)] =
              ws[static_cast<std::size_t>(j)] + nf * corr[static_cast<std::size_t>(j)];
        const std::vector<double> s_new = sign_of(w);
        solved = s_new == s;
        s = s_new;
      }
      break;
    }
    case Regularizer::none:
      break;
  }
  info.solved = solved;
  if (!solved) {
    info.target_valid = false;
    return info;
  }
  info.target = w;
  const std::vector<double> xw = design_times(x, n, d, w);
  info.target_valid = true;
  for (int i = 0; i < n; ++i)
    if ((xw[static_cast<std::size_t>(i)] > 0.0) != (mask[static_cast<std::size_t>(i)] != 0))
      info.target_valid = false;
  return info;
}

TargetInfo expected_mode_target(const ModelAParams& p, const double* w_star) {
  const int d = p.d;
  TargetInfo info;
  const std::vector<double> ws(w_star, w_star + d);
  info.target = ws;
  if (p.regularizer == Regularizer::none || p.lambda == 0.0) return info;
  if (p.regularizer == Regularizer::l2) {
    // On the w* ray theta = 0 and E[Delta] = (w* - w)/2 - (lambda/2) 2 w (descent).
    const double denom =
        p.convention == Convention::descent ? 1.0 + 2.0 * p.lambda : 1.0 - 2.0 * p.lambda;
    if (denom <= 0.0) {
      info.target_valid = info.solved = false;
      return info;
    }
    for (double& v : info.target)
      v /= denom;
    return info;
  }
  // l1, l1sq: fixed point of w <- w + Delta(w) from w*; the field's Jacobian there is close to
  // -I/2, so the map contracts by about a half per iteration.
  SerialTeam team;
  std::vector<double> w = ws, delta(static_cast<std::size_t>(d));
  const double scale = norm2(ws);
  const double factor = regularizer_factor(p);
  info.target_valid = false;
  for (int it = 0; it < 5000; ++it) {
    const StateNorms<double> nrm = state_norms(team, w.data(), w_star, d);
    if (!(nrm.ww > 0.0)) break;
    expected_gradient(team, nrm, w.data(), w_star, d, delta.data());
    double g = 0.0;
    for (int j = 0; j < d; ++j) {
      delta[static_cast<std::size_t>(j)] +=
          factor * regularizer_gradient(p.regularizer, w[static_cast<std::size_t>(j)], nrm.l1);
      g = std::max(g, std::fabs(delta[static_cast<std::size_t>(j)]));
    }
    if (g <= 1e-14 * scale) {
      info.target_valid = true;
      break;
    }
    for (int j = 0; j < d; ++j)
      w[static_cast<std::size_t>(j)] += delta[static_cast<std::size_t>(j)];
  }
  info.solved = info.target_valid;
  if (info.target_valid) info.target = w;
  return info;
}

}  // namespace relusim
