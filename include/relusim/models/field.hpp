// Vector fields of the 2-D dynamics (`relusim field`): Model A's update direction Delta(w) on a
// grid of w in R^2, for the design of one trajectory (fixed mode) or the population (expected
// mode); Model B's reduced (x, y) field of the symmetric start (Tian Thm 4.1). Host only.
#pragma once

#include <string>
#include <vector>

#include "relusim/io/config.hpp"

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

/// The field of `cell` (Model A with d = 2 in fixed or expected mode, for trajectory `id`'s
/// design and teacher; Model B: the reduced field for its K). Throws ConfigError naming the key
/// when the cell has no 2-D field.
Field vector_field(const CellConfig& cell, std::uint32_t id, const FieldGrid& grid);

/// The grid a field is drawn on unless the user gives its ranges: Model A (w_1, w_2) in
/// [-1, 2]^2, Model B (x, y) in [0, 1.2] x [0, 1].
FieldGrid default_field_grid(const CellConfig& cell);

/// Makes a cell given by flags one whose field exists where a field needs less than a run:
/// Model B's d (not given) becomes K, since the reduced field does not depend on d.
void complete_field_cell(CellConfig& cell, bool d_given);

/// The field as CSV: x,y,dx,dy,speed,loss (pandas and gnuplot read it).
std::string field_csv(const Field& f);
/// The marks as CSV: name,x,y.
std::string field_marks_csv(const Field& f);
/// A matplotlib script that draws field.csv and marks.csv (in its own directory) into
/// field.png and field.svg: normalised arrows coloured by speed, the marks labelled.
std::string field_plot_script(const Field& f);

}  // namespace relusim
