// The Hessian of Model B's population loss at a stuck point and its verdict (curvature.hpp).
#include "relusim/models/b/curvature.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "relusim/core/team.hpp"
#include "relusim/models/b/model.hpp"

namespace relusim {

const char* to_string(Curvature c) {
  switch (c) {
    case Curvature::local_min:
      return "local-min";
    case Curvature::saddle:
      return "strict-saddle";
    case Curvature::flat:
      return "flat";
    case Curvature::none:
      break;
  }
  return "";
}

ModelBPopulation::ModelBPopulation(const ModelBParams& p, std::uint32_t id) : p_(p) {
  if (p_.mode != DataMode::expected)
    throw std::invalid_argument("ModelBPopulation: the population loss is expected mode's");
  scratch_.assign(static_cast<std::size_t>(model_b_workspace_size(p_, 1)), 0.0);
  SerialTeam team;
  ModelBWorkspace<double> ws = model_b_workspace<double>(p_, 1, scratch_.data());
  ModelB::setup(team, p_, id, ws);
  TrajectoryRecord unused;
  teacher_term_ = ModelB::begin(team, p_, ws, unused).teacher_term;
  w_star_.assign(ws.w_star, ws.w_star + weights());
}

double ModelBPopulation::gradient(const double* w, double* g) {
  SerialTeam team;
  ModelBWorkspace<double> ws = model_b_workspace<double>(p_, 1, scratch_.data());
  std::copy(w, w + weights(), ws.w);
  model_b::pair_pass(team, p_, ws, true);
  const double l = model_b::expected_gradient(team, p_, ws, teacher_term_);
  for (int t = 0; t < weights(); ++t)
    g[t] = -ws.delta[t];
  return l;
}

double ModelBPopulation::loss(const double* w) {
  std::vector<double> g(static_cast<std::size_t>(weights()));
  return gradient(w, g.data());
}

SquareMatrix ModelBPopulation::hessian(const double* w, double h) {
  const int n = weights();
  SquareMatrix m(n);
  std::vector<double> x(w, w + n), gp(static_cast<std::size_t>(n)), gm(gp.size());
  for (int i = 0; i < n; ++i) {
    const double xi = x[i];
    x[i] = xi + h;
    gradient(x.data(), gp.data());
    x[i] = xi - h;
    gradient(x.data(), gm.data());
    x[i] = xi;
    for (int r = 0; r < n; ++r)
      m(r, i) = (gp[r] - gm[r]) / (2.0 * h);
  }
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < i; ++j)
      m(i, j) = m(j, i) = 0.5 * (m(i, j) + m(j, i));
  return m;
}

CurvatureResult classify_curvature(const ModelBParams& p, std::uint32_t id, const double* w,
                                   double rel_tol) {
  CurvatureResult r;
  const int n = p.K * p.d;
  if (p.mode != DataMode::expected || n > kCurvatureMaxWeights) return r;
  for (int t = 0; t < n; ++t)
    if (!std::isfinite(w[t])) return r;
  ModelBPopulation pop(p, id);
  double ww = 0.0;
  for (int t = 0; t < n; ++t)
    ww += w[t] * w[t];
  const double h = 1e-7 * std::max(1.0, std::sqrt(ww / p.K));
  const SquareMatrix hh = pop.hessian(w, h);
  const SquareMatrix h2 = pop.hessian(w, 2.0 * h);
  double err = 0.0;
  for (std::size_t e = 0; e < hh.a.size(); ++e)
    err += (hh.a[e] - h2.a[e]) * (hh.a[e] - h2.a[e]);
  const std::vector<double> ev = symmetric_eigenvalues(hh);
  r.min_eigenvalue = ev.front();
  r.max_abs_eigenvalue = std::max(std::fabs(ev.front()), std::fabs(ev.back()));
  r.error = std::sqrt(err);
  r.threshold = std::max(rel_tol * r.max_abs_eigenvalue, 2.0 * r.error);
  r.kind = r.min_eigenvalue > r.threshold    ? Curvature::local_min
           : r.min_eigenvalue < -r.threshold ? Curvature::saddle
                                             : Curvature::flat;
  return r;
}

}  // namespace relusim
