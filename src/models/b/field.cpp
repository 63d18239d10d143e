// Model B's 2-D field (`relusim field`, ModelInfo::field): the reduced (x, y) field of the
// symmetric start (Tian Thm 4.1) for the cell's K.
#include <string>

#include "relusim/models/b/host.hpp"
#include "relusim/models/b/theory.hpp"

namespace relusim {

Field model_b_field(const CellConfig& cell, const FieldGrid& g) {
  const ModelBCell& b = cell.of<ModelBCell>();
  if (b.teacher_width() != b.K)
    throw ConfigError("K_teacher",
                      "the reduced (x, y) field is Tian's symmetric structure of "
                      "K_teacher = K units");
  Field f;
  f.x_label = "x (weight on the own teacher unit)";
  f.y_label = "y (weight on each other unit)";
  f.title = "Model B, reduced field of the symmetric start, K = " +
            std::to_string(cell.of<ModelBCell>().K);
  for (int i = 0; i < g.points; ++i) {
    for (int j = 0; j < g.points; ++j) {
      const double x = field_grid_at(g.x0, g.x1, j, g.points);
      const double y = field_grid_at(g.y0, g.y1, i, g.points);
      const SymmetricField s = symmetric_field(cell.of<ModelBCell>().K, x, y);
      f.points.push_back({x, y, s.dx, s.dy, symmetric_loss(cell.of<ModelBCell>().K, x, y)});
    }
  }
  const double xs = tian_saddle_x(cell.of<ModelBCell>().K);
  f.marks.push_back({"teacher (1, 0)", 1.0, 0.0});
  f.marks.push_back({"saddle (x*, x*)", xs, xs});
  return f;
}

}  // namespace relusim
