#include "relusim/engine/stats.hpp"

#include <cmath>
#include <limits>

#include "relusim/models/a/theory.hpp"

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

CellSummary CellAggregator::summary() const {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const CellTally& t = tally_;
  CellSummary s;
  s.trials = t.trials;
  for (std::size_t o = 0; o < s.counts.size(); ++o)
    s.counts[o] = t.counts[o];
  const std::int64_t conv = t.counts[static_cast<int>(Outcome::converged)];
  const auto n = static_cast<double>(t.trials);
  s.rate = t.trials > 0 ? static_cast<double>(conv) / n : nan;
  s.ci = wilson_interval(conv, t.trials);
  s.bound = theory_bound_for(*cell_);
  s.verdict = verdict(s.ci, s.bound);
  s.frac_in_omega = static_cast<double>(t.in_omega) / n;
  s.mean_steps_to_converge =
      conv > 0 ? static_cast<double>(t.steps_to_converge_sum) / static_cast<double>(conv) : nan;
  const bool regularized = cell_->regularizer != Regularizer::none && cell_->lambda > 0.0;
  const auto checked = static_cast<double>(t.design_checked);
  s.frac_positive_definite =
      t.design_checked > 0 ? static_cast<double>(t.positive_definite) / checked : nan;
  s.frac_within_bound =
      t.design_checked > 0 && regularized ? static_cast<double>(t.within_bound) / checked : nan;
  s.frac_target_valid = static_cast<double>(t.target_valid) / n;
  s.mean_final_distance = t.distance_sum / n;
  return s;
}

}  // namespace relusim
