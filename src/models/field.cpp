#include "relusim/models/field.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "relusim/core/team.hpp"
#include "relusim/io/param_parsing.hpp"  // report_number
#include "relusim/models/a/dynamics.hpp"
#include "relusim/models/a/host.hpp"
#include "relusim/models/b/cell.hpp"
#include "relusim/models/b/theory.hpp"

namespace relusim {
namespace {

double grid_at(double lo, double hi, int i, int n) {
  return n == 1 ? lo : lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1);
}

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
      const double x = grid_at(g.x0, g.x1, j, g.points);
      const double y = grid_at(g.y0, g.y1, i, g.points);
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

Field model_b_field(const CellConfig& cell, const FieldGrid& g) {
  Field f;
  f.x_label = "x (weight on the own teacher unit)";
  f.y_label = "y (weight on each other unit)";
  f.title = "Model B, reduced field of the symmetric start, K = " +
            std::to_string(cell.of<ModelBCell>().K);
  for (int i = 0; i < g.points; ++i) {
    for (int j = 0; j < g.points; ++j) {
      const double x = grid_at(g.x0, g.x1, j, g.points);
      const double y = grid_at(g.y0, g.y1, i, g.points);
      const SymmetricField s = symmetric_field(cell.of<ModelBCell>().K, x, y);
      f.points.push_back({x, y, s.dx, s.dy, symmetric_loss(cell.of<ModelBCell>().K, x, y)});
    }
  }
  const double xs = tian_saddle_x(cell.of<ModelBCell>().K);
  f.marks.push_back({"teacher (1, 0)", 1.0, 0.0});
  f.marks.push_back({"saddle (x*, x*)", xs, xs});
  return f;
}

}  // namespace

FieldGrid default_field_grid(const CellConfig& cell) {
  FieldGrid g;
  const bool b = cell.model == "B";
  g.x0 = b ? 0.0 : -1.0;
  g.x1 = b ? 1.2 : 2.0;
  g.y0 = b ? 0.0 : -1.0;
  g.y1 = b ? 1.0 : 2.0;
  return g;
}

void complete_field_cell(CellConfig& cell, bool d_given) {
  if (cell.model == "B" && !d_given) cell.d = cell.of<ModelBCell>().K;
}

Field vector_field(const CellConfig& cell, std::uint32_t id, const FieldGrid& grid) {
  if (grid.points < 2 || grid.points > 1000) throw ConfigError("points", "must lie in [2, 1000]");
  const auto inside = [](double v) { return std::fabs(v) <= kFieldCoordinateLimit; };  // NaN: no
  if (!(grid.x1 > grid.x0) || !(grid.y1 > grid.y0) || !inside(grid.x0) || !inside(grid.x1) ||
      !inside(grid.y0) || !inside(grid.y1))
    throw ConfigError("", "--x and --y need ranges LO HI with LO < HI within +-1e100");
  if (cell.model == "A") return model_a_field(cell, id, grid);
  if (cell.model == "B") return model_b_field(cell, grid);
  throw ConfigError("model", "a 2-D field exists for models A (d = 2) and B (the reduced field)");
}

std::string field_csv(const Field& f) {
  std::ostringstream os;
  os << "x,y,dx,dy,speed,loss\n";
  for (const FieldPoint& p : f.points)
    os << report_number(p.x) << ',' << report_number(p.y) << ',' << report_number(p.dx) << ','
       << report_number(p.dy) << ',' << report_number(std::hypot(p.dx, p.dy)) << ','
       << report_number(p.loss) << '\n';
  return os.str();
}

std::string field_marks_csv(const Field& f) {
  std::ostringstream os;
  os << "name,x,y\n";
  for (const FieldMark& m : f.marks)
    os << '"' << m.name << "\"," << report_number(m.x) << ',' << report_number(m.y) << '\n';
  return os.str();
}

std::string field_plot_script(const Field& f) {
  std::ostringstream os;
  os << R"PY(#!/usr/bin/python3
# Draws field.csv (written by `relusim field`) into field.png and field.svg. Restyle freely.
# Arrows show the direction of the update at each grid point (normalised to one length);
# their colour is its speed |(dx, dy)| on a log scale. Marked points come from marks.csv.
import csv
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

here = os.path.dirname(os.path.abspath(sys.argv[0]))
rows = list(csv.DictReader(open(os.path.join(here, "field.csv"))))
x = np.array([float(r["x"]) for r in rows])
y = np.array([float(r["y"]) for r in rows])
dx = np.array([float(r["dx"]) for r in rows])
dy = np.array([float(r["dy"]) for r in rows])
speed = np.hypot(dx, dy)
ok = np.isfinite(speed)  # the field is undefined at singular points (w = 0)
x, y, dx, dy, speed = x[ok], y[ok], dx[ok], dy[ok], speed[ok]
safe = np.where(speed > 0, speed, 1.0)
floor = speed.max() * 1e-12 if speed.max() > 0 else 1.0
colour = np.maximum(speed, floor)
fig, ax = plt.subplots(figsize=(6.4, 5.6))
q = ax.quiver(x, y, dx / safe, dy / safe, colour, cmap="viridis",
              norm=LogNorm(vmin=colour.min(), vmax=colour.max()),
              angles="xy", pivot="mid", width=0.004)
fig.colorbar(q, ax=ax, shrink=0.85, label="speed |update| (per unit step size)")
markers = ["*", "X", "o", "s"]
for i, m in enumerate(csv.DictReader(open(os.path.join(here, "marks.csv")))):
    ax.plot(float(m["x"]), float(m["y"]), markers[i % len(markers)], markersize=13,
            markeredgecolor="black", color="C%d" % (i + 1), label=m["name"], linestyle="none")
)PY";
  os << "ax.set_xlabel(\"" << f.x_label << "\")\n";
  os << "ax.set_ylabel(\"" << f.y_label << "\")\n";
  os << "ax.set_title(\"" << f.title << "\", fontsize=10)\n";
  os << R"PY(ax.set_xlim(x.min() - 0.03 * np.ptp(x), x.max() + 0.03 * np.ptp(x))
ax.set_ylim(y.min() - 0.03 * np.ptp(y), y.max() + 0.03 * np.ptp(y))
ax.set_aspect("equal", adjustable="box")
ax.legend(loc="best", fontsize=9)
fig.tight_layout()
for ext in ("png", "svg"):
    fig.savefig(os.path.join(here, "field." + ext), dpi=150)
print("wrote", os.path.join(here, "field.png"), "and field.svg")
)PY";
  return os.str();
}

}  // namespace relusim
