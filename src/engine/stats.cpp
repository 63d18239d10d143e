#include "relusim/engine/stats.hpp"

#include "relusim/models/model_info.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

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
  const ModelInfo& m = model_info(c.model);
  if (m.bound == nullptr) return {"none", std::numeric_limits<double>::quiet_NaN()};
  return m.bound(c);
}

std::string verdict(const Interval& ci, const TheoryBound& bound, const std::string& outside_reason,
                    const std::optional<Interval>& censored_converged) {
  if (std::isnan(bound.value)) return kVerdictNoBound;
  if (!outside_reason.empty()) return kVerdictOutside;
  if (ci.hi >= bound.value) return kVerdictHolds;
  return censored_converged.value_or(ci).hi >= bound.value ? kVerdictCensored : kVerdictViolated;
}

bool stop_rule_met(const CellConfig& cell, const CellTally& prefix) {
  if (prefix.trials <= 0) return false;
  const Interval ci =
      wilson_interval(prefix.counts[static_cast<int>(Outcome::converged)], prefix.trials);
  if (cell.until == StopTarget::halfwidth) return (ci.hi - ci.lo) / 2.0 <= cell.ci_halfwidth;
  // until = verdict: every part of verdict() settled. The interval clear of the bound; below
  // it, the interval with the censored trajectories counted as converged clear of it too
  // (violated or censored); and the model's outside vote settled.
  const double bound = theory_bound_for(cell).value;
  if (std::isnan(bound) || !(ci.lo > bound || ci.hi < bound)) return false;
  if (ci.hi < bound) {
    const Interval with_censored =
        wilson_interval(prefix.counts[static_cast<int>(Outcome::converged)] +
                            prefix.counts[static_cast<int>(Outcome::undecided)],
                        prefix.trials);
    if (!(with_censored.lo > bound || with_censored.hi < bound)) return false;
  }
  const ModelInfo& m = model_info(cell.model);
  return m.outside_settled == nullptr || m.outside_settled(prefix, cell);
}

double mean_steps_to_converge(const CellTally& t) {
  const std::int64_t conv = t.counts[static_cast<int>(Outcome::converged)];
  return conv > 0 ? static_cast<double>(t.steps_to_converge_sum) / static_cast<double>(conv)
                  : std::numeric_limits<double>::quiet_NaN();
}

double CellSummary::value(const std::string& name) const {
  for (std::size_t i = 0; i < model->columns.size(); ++i)
    if (model->columns[i].name == name) return values[i];
  throw std::out_of_range("model " + model->name + " has no column '" + name + "'");
}

CellSummary CellAggregator::summary() const {
  const CellTally& t = tally_;
  CellSummary s;
  s.trials = t.trials;
  for (std::size_t o = 0; o < s.counts.size(); ++o)
    s.counts[o] = t.counts[o];
  const std::int64_t conv = t.counts[static_cast<int>(Outcome::converged)];
  s.rate = t.trials > 0 ? static_cast<double>(conv) / static_cast<double>(t.trials)
                        : std::numeric_limits<double>::quiet_NaN();
  s.ci = wilson_interval(conv, t.trials);
  s.bound = theory_bound_for(*cell_);
  s.model = &model_info(cell_->model);
  if (!std::isnan(s.bound.value) && s.model->outside_reason != nullptr)
    s.verdict_reason = s.model->outside_reason(t, *cell_);
  const std::int64_t censored = t.counts[static_cast<int>(Outcome::undecided)];
  s.verdict = verdict(s.ci, s.bound, s.verdict_reason, wilson_interval(conv + censored, t.trials));
  if (s.verdict == kVerdictCensored) s.verdict_reason = kCensoredReason;
  s.tally = t;
  for (const SummaryColumn& c : s.model->columns)
    s.values.push_back(c.value(t, *cell_));
  return s;
}

}  // namespace relusim
