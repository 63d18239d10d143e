// Validation of the keys every model shares (ranges and consistency, errors naming the key);
// each model's registration adds its own checks.
#include "relusim/io/config.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "relusim/io/param_parsing.hpp"
#include "relusim/models/model_info.hpp"

namespace relusim {

void validate(const CellConfig& c) {
  auto require = [](bool ok, const char* key, const std::string& what) {
    if (!ok) throw ConfigError(key, what);
  };
  const ModelInfo& info = model_info(c.model);
  require(c.n_samples >= 1, "N", "must be >= 1");
  require(c.d >= 1, "d", "must be >= 1");
  require(c.d <= 65536, "d", "must be <= 65536");
  require(c.batch >= 1, "B", "must be >= 1");
  require(c.batch <= c.n_samples, "B",
          "must not exceed N (B = " + std::to_string(c.batch) +
              ", N = " + std::to_string(c.n_samples) + ")");
  require(std::isfinite(c.eta) && c.eta > 0.0, "eta", "must be finite and > 0");
  // One trajectory keeps its design (N x d) in memory; 2^31 entries are 16 GiB in double.
  const std::int64_t rows =
      c.mode == DataMode::fixed ? c.n_samples : (c.mode == DataMode::online ? c.batch : 0);
  require(rows * static_cast<std::int64_t>(c.d) <= (std::int64_t{1} << 31),
          c.mode == DataMode::online ? "B" : "N",
          "the design of one trajectory (" + std::string(c.mode == DataMode::online ? "B" : "N") +
              " x d = " + std::to_string(rows * c.d) + " entries) must not exceed 2^31 entries");
  require(c.steps >= 1, "steps", "must be >= 1");
  require(c.eps > 0.0 && c.eps < 1.0, "eps", "must lie in (0, 1)");
  require(std::isfinite(c.tol) && c.tol > 0.0, "tol", "must be finite and > 0");
  require(std::isfinite(c.stuck_tol) && c.stuck_tol >= 0.0, "stuck_tol", "must be finite and >= 0");
  require(c.blowup > 1.0, "blowup", "must be > 1");
  require(c.trials >= 1, "trials", "must be >= 1");
  require(c.trials <= std::numeric_limits<std::uint32_t>::max(), "trials", "must be < 2^32");
  if (c.trials_auto) {
    require(c.max_trials >= 1, "max_trials", "must be >= 1");
    require(c.max_trials <= std::numeric_limits<std::uint32_t>::max(), "max_trials",
            "must be < 2^32");
    require(c.trials_step >= 1 && c.trials_step <= c.max_trials, "trials_step",
            "must lie in [1, max_trials]");
    require((c.max_trials + c.trials_step - 1) / c.trials_step <= kMaxTrialSteps, "trials_step",
            "max_trials / trials_step must not exceed " + std::to_string(kMaxTrialSteps) +
                " steps (the rule is tested at each)");
    require(std::isfinite(c.ci_halfwidth) && c.ci_halfwidth > 0.0 && c.ci_halfwidth < 0.5,
            "ci_halfwidth", "must lie in (0, 0.5)");
  }
  require(std::isfinite(c.teacher_norm) && c.teacher_norm > 0.0, "teacher_norm",
          "must be finite and > 0");
  require(std::isfinite(c.init_scale) && c.init_scale > 0.0, "init_scale",
          "must be finite and > 0");
  if (c.criterion == Criterion::angle) require(c.tol < 3.14159, "tol", "an angle below pi");
  // A criterion the arithmetic cannot meet is refused, not run into a misclassified cell
  // (docs/model.md, "Reachable criteria").
  const double floor = criterion_floor(c.criterion, c.precision);
  if (!(c.tol >= floor)) {
    char buf[240];
    std::snprintf(buf, sizeof buf,
                  "%s is below what %s arithmetic resolves for the %s criterion (tol >= %.2g)",
                  params::format_double(c.tol).c_str(),
                  c.precision == Precision::f32 ? "float" : "double",
                  to_string(c.criterion).c_str(), floor);
    throw ConfigError("tol", buf);
  }
  if (info.validate != nullptr) info.validate(c);
  if (c.trials_auto && c.until == StopTarget::verdict &&
      (info.bound == nullptr || std::isnan(info.bound(c).value)))
    throw ConfigError("until",
                      "verdict needs a theorem's bound, and no theorem applies to this "
                      "cell; use until = \"halfwidth\"");
}

double criterion_floor(Criterion criterion, Precision precision) {
  const double eps = precision == Precision::f32 ? std::numeric_limits<float>::epsilon()
                                                 : std::numeric_limits<double>::epsilon();
  switch (criterion) {
    case Criterion::angle:  // the cosine test: 1 - cos(tol) ~ tol^2/2 must exceed ~100 eps
      return std::sqrt(200.0 * eps);
    case Criterion::loss:  // a relative loss, the square of a relative distance
      return (1e3 * eps) * (1e3 * eps);
    case Criterion::distance:
      break;
  }
  return 1e3 * eps;  // a relative distance: a thousand roundings of |w|
}

void require_representable_scale(const CellConfig& c, const char* key, double norm) {
  const double limit = c.precision == Precision::f32 ? std::numeric_limits<float>::max()
                                                     : std::numeric_limits<double>::max();
  // norm^2 * (N + d) * 1e4 < limit, in logarithms so that the test itself cannot overflow.
  const double lhs =
      2.0 * std::log10(norm) + std::log10(static_cast<double>(c.n_samples + c.d)) + 4.0;
  if (!std::isfinite(norm) || lhs >= std::log10(limit)) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "a weight scale of %.3g overflows %s arithmetic (its square times N + d times "
                  "1e4 must stay below %.3g)",
                  norm, c.precision == Precision::f32 ? "float" : "double", limit);
    throw ConfigError(key, buf);
  }
}

}  // namespace relusim
