// Kong Fig. 2: normalised vector fields for l1 and l2 (`relusim reproduce kong-fig2`; its figure
// scripts: src/reproduce/figures/kong-fig2/).
#include <algorithm>
#include <cmath>
#include "../common.hpp"
#include "relusim/models/a/cell.hpp"
#include "relusim/models/a/theory.hpp"
#include "relusim/models/field.hpp"
#include "relusim/reproduce/lab.hpp"
#include "experiments.hpp"

namespace relusim {
namespace {

using repro::fmt;

void kong_fig2(Lab& lab) {
  CellConfig base;
  base.model = "A";
  base.mode = DataMode::fixed;
  base.n_samples = 10;
  base.d = 2;
  base.of<ModelACell>().lambda = 0.01;
  base.of<ModelACell>().convention = Convention::as_printed;
  base.trials = 1000;
  FieldGrid g;
  g.x0 = -0.5;
  g.x1 = 2.0;
  g.y0 = -0.5;
  g.y1 = 2.0;
  g.points = lab.pick(26, 14);
  // One design for both panels: the first trajectory whose w_hat exists for l1sq and l2.
  std::uint32_t id = 0;
  std::vector<Field> fields;
  for (; id < 100; ++id) {
    fields.clear();
    for (Regularizer r : {Regularizer::l1sq, Regularizer::l2}) {
      CellConfig c = base;
      c.of<ModelACell>().regularizer = r;
      fields.push_back(vector_field(c, id, g));
    }
    if (fields[0].marks.size() == 2 && fields[1].marks.size() == 2) break;
  }
  lab.say("fields of design " + std::to_string(id));
  int inside = 0, decreasing = 0;
  double worst_rest = 0.0;
  std::string rest_text;
  int k = 0;
  for (Regularizer r : {Regularizer::l1sq, Regularizer::l2}) {
    const Field& f = fields[static_cast<std::size_t>(k++)];
    const FieldMark& target = f.marks[1];
    for (const FieldPoint& p : f.points) {
      // Lyapunov: V = |w - w_hat|^2 / 2 decreases inside Omega = {|w - w*| < |w*|}.
      if (std::hypot(p.x - 1.0, p.y - 1.0) >= std::sqrt(2.0)) continue;
      ++inside;
      if (p.dx * (p.x - target.x) + p.dy * (p.y - target.y) < 0.0) ++decreasing;
    }
    // The field at w_hat itself: a rest point.
    CellConfig c = base;
    c.of<ModelACell>().regularizer = r;
    FieldGrid at{target.x, target.x + 1e-12, target.y, target.y + 1e-12, 2};
    const Field z = vector_field(c, id, at);
    const double rest = std::hypot(z.points[0].dx, z.points[0].dy);
    worst_rest = std::max(worst_rest, rest);
    rest_text += std::string(rest_text.empty() ? "" : ", ") + to_string(r) + " w_hat = (" +
                 fmt(target.x, 4) + ", " + fmt(target.y, 4) + "), |Delta| = " + repro::sci(rest);
    lab.write(std::string("fig2_") + to_string(r) + ".csv", field_csv(f));
    lab.write(std::string("fig2_") + to_string(r) + "_marks.csv", field_marks_csv(f));
  }
  {
    Claim c;
    const char* verdict = kNotReproduced;
    std::string why;
    c.id = "lyapunov-in-omega";
    c.paper =
        "Kong Thm 2 / Thm 4 (the fields of Fig. 2): V = |w - w_hat|^2 / 2 decreases "
        "inside the ball of radius |w*| around w*";
    c.measured = std::to_string(decreasing) + " of " + std::to_string(inside) +
                 " grid points inside that ball (both fields) point towards w_hat";
    c.value = static_cast<double>(decreasing) / std::max(inside, 1);
    verdict = decreasing == inside ? kReproduced : c.value >= 0.9 ? kPartly : kNotReproduced;
    if (decreasing != inside) why = "some arrows inside the ball point away from w_hat";
    lab.claim(c, verdict, why);
  }
  lab.check({.id = "rest-at-w-hat",
             .paper = "Kong (14), (25): w_hat is the stationary point of the regularised dynamics",
             .measured = rest_text,
             .value = worst_rest},
            worst_rest < 1e-8, "the field does not vanish at w_hat");
  lab.figure("fig2",
             "Kong Fig. 2: the normalised update direction on a grid (colour: its speed), "
             "l1sq (left) and l2 (right), lambda = 0.01, as-printed sign, N = 10, design of "
             "trajectory " +
                 std::to_string(id) + "; the circle is the ball |w - w*| < |w*|");
}

}  // namespace

Experiment kong_fig2_experiment() {
  return {"kong-fig2",
          "Kong Fig. 2: normalised vector fields for l1 and l2",
          "Kong §4, Figure 2 (Theorems 2 and 4)",
          "the update field of one design, l1sq and l2 at lambda 0.01, with the Lyapunov "
          "check inside the ball",
          2,
          2,
          kong_fig2};
}

}  // namespace relusim
