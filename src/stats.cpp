#include "relusim/stats.hpp"

#include <cmath>
#include <limits>

#include "relusim/theory.hpp"

namespace relusim {

Interval wilson_interval(std::int64_t k, std::int64_t n, double z) {
  if (n <= 0) return {0.0, 1.0};
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double denom = 1.0 + z2 / nn;
  const double centre = (p + z2 / (2.0 * nn)) / denom;
  const double half = z * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
  // At k = 0 and k = n one end is exactly 0 or 1; rounding must not move it.
  return {k == 0 ? 0.0 : std::fmax(0.0, centre - half),
          k == n ? 1.0 : std::fmin(1.0, centre + half)};
}

TheoryBound theory_bound_for(const CellConfig& c) {
  if (c.init != InitKind::ball && c.init != InitKind::ball_tight)
    return {"none", std::numeric_limits<double>::quiet_NaN()};
  const bool regularized = c.regularizer != Regularizer::none && c.lambda > 0.0;
  if (regularized && c.mode == DataMode::fixed)
    return {"kong-5", kong_bound(c.eps, c.n_samples, c.d)};
  return {"tian-3.3", tian_bound(c.eps)};
}

std::string verdict(const Interval& ci, const TheoryBound& bound) {
  if (std::isnan(bound.value)) return "n/a";
  return ci.hi >= bound.value ? "holds" : "violated";
}

void CellAggregator::add(const TrajectoryRecord& r) {
  ++n_;
  ++counts_[static_cast<std::size_t>(r.result.outcome)];
  if (r.result.started_in_omega) ++in_omega_;
  if (r.result.outcome == Outcome::converged)
    steps_sum_ += static_cast<double>(r.result.steps_to_converge);
  distance_sum_ += r.result.distance;
  if (r.design_checked) {
    ++checked_;
    if (r.positive_definite) ++pd_;
    if (r.lambda_within_bound) ++within_;
  }
  if (r.target_valid) ++valid_;
}

CellSummary CellAggregator::summary() const {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CellSummary s;
  s.trials = n_;
  s.counts = counts_;
  const std::int64_t conv = counts_[static_cast<std::size_t>(Outcome::converged)];
  const double n = static_cast<double>(n_);
  s.rate = n_ > 0 ? static_cast<double>(conv) / n : nan;
  s.ci = wilson_interval(conv, n_);
  s.bound = theory_bound_for(*cell_);
  s.verdict = verdict(s.ci, s.bound);
  s.frac_in_omega = static_cast<double>(in_omega_) / n;
  s.mean_steps_to_converge = conv > 0 ? steps_sum_ / static_cast<double>(conv) : nan;
  const bool regularized = cell_->regularizer != Regularizer::none && cell_->lambda > 0.0;
  s.frac_positive_definite =
      checked_ > 0 ? static_cast<double>(pd_) / static_cast<double>(checked_) : nan;
  s.frac_within_bound = checked_ > 0 && regularized
                            ? static_cast<double>(within_) / static_cast<double>(checked_)
                            : nan;
  s.frac_target_valid = static_cast<double>(valid_) / n;
  s.mean_final_distance = distance_sum_ / n;
  return s;
}

}  // namespace relusim
