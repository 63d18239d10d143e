#include "relusim/models/a/targets.hpp"

#include <algorithm>
#include <cmath>

#include "relusim/core/batched_ops_host.hpp"
#include "relusim/models/a/batched_targets.hpp"
#include "relusim/core/hd.hpp"
#include "relusim/core/linalg.hpp"

namespace relusim {
namespace {

double norm1(const std::vector<double>& w) {
  double s = 0.0;
  for (double v : w)
    s += std::fabs(v);
  return s;
}

double norm2(const std::vector<double>& w) {
  double s = 0.0;
  for (double v : w)
    s = hd::fma(v, v, s);
  return std::sqrt(s);
}

/// (X v)_i for all rows.
std::vector<double> design_times(const double* x, int rows, int d, const std::vector<double>& v) {
  std::vector<double> z(static_cast<std::size_t>(rows), 0.0);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < d; ++j)
      z[static_cast<std::size_t>(i)] =
          hd::fma(x[static_cast<std::size_t>(i) * d + j], v[static_cast<std::size_t>(j)],
                  z[static_cast<std::size_t>(i)]);
  return z;
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

std::vector<TargetInfo> fixed_mode_targets_colmajor(const ModelAParams* params,
                                                    const std::uint32_t* param_of, int n,
                                                    const double* x, int ld, const double* w_star,
                                                    bool oracle) {
  const int rows = params[param_of[0]].n_samples, d = params[param_of[0]].d;
  const auto un = static_cast<std::size_t>(n), ud = static_cast<std::size_t>(d);
  std::vector<double> doubles(static_cast<std::size_t>(fixed_target_doubles(n, ld, d))),
      target(un * ud);
  std::vector<int> ints(un * (ud + 1));
  std::vector<FixedTargetState> state(un);
  std::vector<TargetChecks> checks(un);
  std::vector<double*> ptrs(3 * un);
  FixedTargetWave w = carve_fixed_target_wave(n, rows, ld, d, doubles.data(), ints.data(),
                                              state.data(), ptrs.data());
  w.params = params;
  w.param_of = param_of;
  w.need_p = std::any_of(param_of, param_of + n,
                         [&](std::uint32_t q) { return lambda_bound_needs_p(params[q]); });
  w.x = x;
  w.w_star = w_star;
  w.target = target.data();
  w.checks = checks.data();
  if (oracle) {
    HostBatchedOps ops;
    compute_fixed_targets(ops, w);
  } else {
    HostBlasBatchedOps ops;
    compute_fixed_targets(ops, w);
  }
  std::vector<TargetInfo> out(un);
  for (std::size_t k = 0; k < un; ++k) {
    static_cast<TargetChecks&>(out[k]) = checks[k];
    out[k].target.assign(target.begin() + static_cast<std::ptrdiff_t>(k * ud),
                         target.begin() + static_cast<std::ptrdiff_t>((k + 1) * ud));
  }
  return out;
}

std::vector<TargetInfo> fixed_mode_targets(const ModelAParams* params,
                                           const std::uint32_t* param_of, int n, const double* x,
                                           const double* w_star) {
  const int rows = params[param_of[0]].n_samples, d = params[param_of[0]].d;
  const std::size_t size = static_cast<std::size_t>(rows) * static_cast<std::size_t>(d);
  std::vector<double> cols(static_cast<std::size_t>(n) * size);
  for (std::size_t k = 0; k < static_cast<std::size_t>(n); ++k)
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < d; ++j)
        cols[k * size + static_cast<std::size_t>(j) * rows + i] =
            x[k * size + static_cast<std::size_t>(i) * d + j];
  return fixed_mode_targets_colmajor(params, param_of, n, cols.data(), rows, w_star);
}

TargetInfo fixed_mode_target(const ModelAParams& p, const double* x, const double* w_star) {
  const std::uint32_t param_of = 0;
  return std::move(fixed_mode_targets(&p, &param_of, 1, x, w_star).front());
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
