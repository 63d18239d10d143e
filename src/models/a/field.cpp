// Model A's 2-D field (`relusim field`, ModelInfo::field): the update direction Delta(w) on a grid
// of w in R^2, for the design of one trajectory (fixed mode) or the population (expected mode).
#include <sstream>
#include <vector>

#include "relusim/core/team.hpp"
#include "relusim/io/param_parsing.hpp"  // report_number
#include "relusim/models/a/dynamics.hpp"
#include "relusim/models/a/host.hpp"

namespace relusim {

Field model_a_field(const CellConfig& cell, std::uint32_t id, const FieldGrid& g) {
  if (cell.d != 2) throw ConfigError("d", "the field of model A is drawn in 2-D: d must be 2");
  if (cell.mode == DataMode::online)
    throw ConfigError("mode",
                      "online mode draws a new minibatch each step: the field needs "
                      "fixed (one design) or expected mode");
  const ModelAParams p = ModelHost<ModelA>::resolve(cell);
  std::vector<double> scratch(static_cast<std::size_t>(ModelA::workspace_size(p, 1)));
  const ModelAWorkspace<double> ws = ModelA::carve<double>(p, 1, scratch.data());
  SerialTeam team;
  model_a_setup(team, p, id, ws);
  const double ss = hd::fma(ws.w_star[1], ws.w_star[1], ws.w_star[0] * ws.w_star[0]);
  Field f;
  f.x_label = "w_1";
  f.y_label = "w_2";
  std::ostringstream title;
  title << "Model A, " << to_string(cell.mode) << " mode";
  if (cell.mode == DataMode::fixed)
    title << ", N = " << cell.n_samples << ", design of trajectory " << id;
  if (cell.of<ModelACell>().regularizer != Regularizer::none && cell.of<ModelACell>().lambda > 0.0)
    title << ", " << to_string(cell.of<ModelACell>().regularizer)
          << " lambda = " << report_number(cell.of<ModelACell>().lambda);
  f.title = title.str();
  for (int i = 0; i < g.points; ++i) {
    for (int j = 0; j < g.points; ++j) {
      const double x = field_grid_at(g.x0, g.x1, j, g.points);
      const double y = field_grid_at(g.y0, g.y1, i, g.points);
      ws.w[0] = x;
      ws.w[1] = y;
      const Evaluation<double> e = model_a_evaluate(team, p, id, 0, ws, ss);
      f.points.push_back({x, y, ws.delta[0], ws.delta[1], e.loss});
    }
  }
  f.marks.push_back({"teacher w*", ws.w_star[0], ws.w_star[1]});
  if (cell.of<ModelACell>().regularizer != Regularizer::none &&
      cell.of<ModelACell>().lambda > 0.0) {
    const TargetInfo t = model_a_target(p, ws);
    if (t.target_valid) f.marks.push_back({"target w_hat", t.target[0], t.target[1]});
  }
  return f;
}

}  // namespace relusim
