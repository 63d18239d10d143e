// `relusim field`: the vector field of a 2-D dynamics on a grid (vector_field), as CSV on
// stdout, or with --out the CSV files, the plot script and the figure.
#include <iostream>
#include <memory>
#include <vector>

#include "commands.hpp"
#include "options.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/field.hpp"
#include "relusim/reproduce/lab.hpp"

namespace relusim::cli {

Command add_field(CLI::App& app, const Context&) {
  struct State {
    std::map<std::string, std::string> values;
    std::int64_t id = 0;
    std::vector<double> x, y;
    int points = 21;
    std::string out;
  };
  auto s = std::make_shared<State>();
  CLI::App* field = app.add_subcommand(
      "field",
      "the vector field of a 2-D dynamics on a grid, as CSV, and a figure with --out: model A "
      "with d = 2 (fixed mode: the design of --trajectory; expected mode: the population), "
      "model B: the reduced (x, y) field of the symmetric start (Tian Thm 4.1)");
  add_cell_options(*field, s->values);
  field->add_option("--trajectory", s->id, "model A, fixed mode: whose design and teacher")
      ->capture_default_str();
  field
      ->add_option("--x", s->x,
                   "x range LO HI (model A: w_1, default -1 2; model B: x, "
                   "default 0 1.2)")
      ->expected(2);
  field
      ->add_option("--y", s->y,
                   "y range LO HI (model A: w_2, default -1 2; model B: y, "
                   "default 0 1)")
      ->expected(2);
  field->add_option("--points", s->points, "grid points per axis")->capture_default_str();
  field->add_option("--out", s->out,
                    "directory for field.csv, marks.csv, plot_field.py and, when Debian's "
                    "python3 has matplotlib, field.png and field.svg (else CSV on stdout)");
  return {field, [s, field] {
            const bool d_given = field->get_option("--d")->count() > 0;
            const CellConfig cell = cell_from_options(
                s->values, *field, [d_given](CellConfig& c) { complete_field_cell(c, d_given); });
            if (s->id < 0 || s->id >= cell.trials)
              throw ConfigError("trajectory", "must lie in [0, trials)");
            FieldGrid g = default_field_grid(cell);
            if (!s->x.empty()) g.x0 = s->x[0], g.x1 = s->x[1];
            if (!s->y.empty()) g.y0 = s->y[0], g.y1 = s->y[1];
            g.points = s->points;
            const Field f = vector_field(cell, static_cast<std::uint32_t>(s->id), g);
            if (s->out.empty()) {
              std::cout << field_csv(f);
              return 0;
            }
            OutputDirectory out(s->out);
            out.stage("field.csv", field_csv(f));
            out.stage("marks.csv", field_marks_csv(f));
            out.stage("plot_field.py", field_plot_script(f));
            out.commit();
            std::cerr << "relusim: wrote " << s->out << "/field.csv, marks.csv, plot_field.py\n";
            draw_figure_script(s->out + "/plot_field.py");
            return 0;
          }};
}

}  // namespace relusim::cli
