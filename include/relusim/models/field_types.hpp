// The data of a 2-D vector field (`relusim field`, models/field.hpp): what a model's field
// function (ModelInfo::field) returns. Host only.
#pragma once

#include <string>
#include <vector>

namespace relusim {

/// The largest |coordinate| a field or `theory --x/--y` takes: the fields square the weights and
/// multiply them by N, d or K, which stays finite in double below this.
inline constexpr double kFieldCoordinateLimit = 1e100;

struct FieldGrid {
  double x0 = 0.0, x1 = 1.0;
  double y0 = 0.0, y1 = 1.0;
  int points = 21;  ///< per axis
};

struct FieldPoint {
  double x, y;    ///< where
  double dx, dy;  ///< the field there (the update direction, per unit step size)
  double loss;    ///< Model A: the data loss at w; Model B: the population loss
};

/// A named point to mark on the figure (the teacher, a saddle).
struct FieldMark {
  std::string name;
  double x, y;
};

struct Field {
  std::string x_label, y_label, title;
  std::vector<FieldPoint> points;  ///< row by row: y outer, x inner
  std::vector<FieldMark> marks;
};

/// The i-th of n points from lo to hi (both included).
inline double field_grid_at(double lo, double hi, int i, int n) {
  return n == 1 ? lo : lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1);
}

}  // namespace relusim
