// Vector fields of the 2-D dynamics (`relusim field`): each model that has one registers it
// (ModelInfo::field: Model A's update direction Delta(w) on a grid of w in R^2, Model B's reduced
// (x, y) field of the symmetric start, Tian Thm 4.1); this file looks it up, checks the grid and
// writes the CSV files and the plot script. Host only.
#pragma once

#include <string>
#include <vector>

#include "relusim/io/config.hpp"
#include "relusim/models/field_types.hpp"

namespace relusim {

/// The field of `cell` for trajectory `id`, from its model's registration. Throws ConfigError
/// naming the key when the cell has no 2-D field.
Field vector_field(const CellConfig& cell, std::uint32_t id, const FieldGrid& grid);

/// The grid a field is drawn on unless the user gives its ranges (the model's registration).
FieldGrid default_field_grid(const CellConfig& cell);

/// Makes a cell given by flags one whose field exists where a field needs less than a run (the
/// model's registration; Model B: d, when not given, becomes K).
void complete_field_cell(CellConfig& cell, bool d_given);

/// The field as CSV: x,y,dx,dy,speed,loss (pandas and gnuplot read it).
std::string field_csv(const Field& f);
/// The marks as CSV: name,x,y.
std::string field_marks_csv(const Field& f);
/// A matplotlib script that draws field.csv and marks.csv (in its own directory) into
/// field.png and field.svg: normalised arrows coloured by speed, the marks labelled.
std::string field_plot_script(const Field& f);

}  // namespace relusim
