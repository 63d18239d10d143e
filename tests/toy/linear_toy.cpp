// The toy's registration (models/model_info.hpp): its one own key, the common keys it reads, its
// theorem (gradient descent on a unit quadratic converges iff 0 < eta < 2) and its columns.
#include "linear_toy.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "relusim/engine/stats.hpp"
#include "relusim/io/param_parsing.hpp"

namespace relusim::toy {
namespace {

using namespace params;

ToyCell& own(CellConfig& c) {
  return c.of<ToyCell>();
}
const ToyCell& own(const CellConfig& c) {
  return c.of<ToyCell>();
}

std::vector<ParamInfo> parameters() {
  std::vector<ParamInfo> mine;
  mine.push_back({"spread",
                  ParamType::real,
                  "toy: start distance scale, r0 = spread (1 + id mod 5)",
                  {},
                  [](CellConfig& c, const ParamValue& v) { own(c).spread = as_real("spread", v); },
                  [](const CellConfig& c) { return format_double(own(c).spread); }});
  return ordered_parameters(mine, {"model", "d", "eta", "steps", "precision", "spread", "tol",
                                   "stuck_tol", "blowup", "early_stop", "seed", "trials"});
}

ModelInfo make_info() {
  ModelInfo m;
  m.name = LinearToy::kName;
  m.summary = "a linear student and teacher on the population loss (test-only)";
  m.parameters = parameters();
  m.outcomes = {"converged", "diverged", "dead", "stuck", "undecided"};
  m.short_outcomes = {"conv", "div", "dead", "stuck", "undec"};
  m.default_table_keys = {"d", "eta"};
  // The population gradient: the toy has no data to draw.
  m.apply_defaults = [](CellConfig& c) {
    c.own.emplace<ToyCell>();
    c.mode = DataMode::expected;
  };
  m.validate = [](const CellConfig& c) {
    if (c.mode != DataMode::expected)
      throw ConfigError("mode", "the toy steps the population gradient only");
    const double s = own(c).spread;
    if (!(std::isfinite(s) && s > 0.0)) throw ConfigError("spread", "must be finite and > 0");
  };
  m.bound = [](const CellConfig& c) {
    return TheoryBound{"unit-quadratic", c.eta < 2.0 ? 1.0 : 0.0};
  };
  m.columns = {{"mean_steps_to_converge", "steps", 1,
                [](const CellTally& t, const CellConfig&) { return mean_steps_to_converge(t); }},
               {"mean_final_distance", "dist", 3, [](const CellTally& t, const CellConfig&) {
                  return slot_mean(t, LinearToy::kDistance);
                }}};
  m.trajectory_header = "distance,weight_norm";
  m.trajectory_row = [](const TrajectoryRecord& r) {
    return report_number(r.slot[LinearToy::kDistance]) + ',' +
           report_number(r.slot[LinearToy::kWeightNorm]);
  };
  m.trace_columns = {{"distance", LinearToy::kDistance}, {"weight_norm", LinearToy::kWeightNorm}};
  return m;
}

}  // namespace

const ModelInfo& toy_info() {
  static const ModelInfo info = make_info();
  return info;
}

ToyParams resolve_toy(const CellConfig& c) {
  validate(c);
  ToyParams p;
  resolve_common(c, p);
  p.spread = own(c).spread;
  return p;
}

}  // namespace relusim::toy
