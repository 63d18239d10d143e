#include "relusim/models/field.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "relusim/io/param_parsing.hpp"  // report_number
#include "relusim/models/model_info.hpp"

namespace relusim {
FieldGrid default_field_grid(const CellConfig& cell) {
  return model_info(cell.model).field_grid;
}

void complete_field_cell(CellConfig& cell, bool d_given) {
  const ModelInfo& m = model_info(cell.model);
  if (m.complete_field_cell != nullptr) m.complete_field_cell(cell, d_given);
}

Field vector_field(const CellConfig& cell, std::uint32_t id, const FieldGrid& grid) {
  if (grid.points < 2 || grid.points > 1000) throw ConfigError("points", "must lie in [2, 1000]");
  const auto inside = [](double v) { return std::fabs(v) <= kFieldCoordinateLimit; };  // NaN: no
  if (!(grid.x1 > grid.x0) || !(grid.y1 > grid.y0) || !inside(grid.x0) || !inside(grid.x1) ||
      !inside(grid.y0) || !inside(grid.y1))
    throw ConfigError("", "--x and --y need ranges LO HI with LO < HI within +-1e100");
  const ModelInfo& m = model_info(cell.model);
  if (m.field != nullptr) return m.field(cell, id, grid);
  std::string with;
  for (const std::string& name : model_names())
    if (model_info(name).field != nullptr) with += (with.empty() ? "" : ", ") + name;
  throw ConfigError("model",
                    "model " + cell.model + " has no 2-D field (models with one: " + with + ")");
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
