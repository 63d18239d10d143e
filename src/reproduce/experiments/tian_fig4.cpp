// Tian Fig. 4: the symmetric dynamics of K ReLUs (`relusim reproduce tian-fig4`; its figure
// scripts: src/reproduce/figures/tian-fig4/).
#include <algorithm>
#include <cmath>
#include <sstream>
#include "../common.hpp"
#include "relusim/core/hd.hpp"
#include "relusim/models/a/theory.hpp"
#include "relusim/models/b/model.hpp"
#include "relusim/models/b/theory.hpp"
#include "relusim/models/field.hpp"
#include "relusim/reproduce/exact.hpp"
#include "relusim/reproduce/lab.hpp"
#include "experiments.hpp"

namespace relusim {
namespace {

using repro::fmt;
using repro::sci;

void tian_fig4(Lab& lab) {
  // (a), (b): the reduced field for K = 2 and 5.
  for (int K : {2, 5}) {
    const CellConfig c =
        parse_sweep_text("model = \"B\"\nK = " + std::to_string(K) + "\nd = " + std::to_string(K),
                         "field")
            .cells.front();
    FieldGrid g{0.0, 1.2, 0.0, 1.0, lab.pick(25, 13)};
    const Field f = vector_field(c, 0, g);
    lab.write("fig4_field_K" + std::to_string(K) + ".csv", field_csv(f));
  }
  // (c), (d): paths from (1e-3, 0) of the K-unit expected dynamics, d = K.
  std::ostringstream idx;
  idx << "K,x_star,outcome,steps,max_y,final_x,final_y\n";
  std::vector<std::int64_t> steps;
  std::vector<std::string> outcome;
  double worst_rest = 0, worst_root = 0;
  bool detour = true;
  std::string detour_text;
  for (int K : {2, 5, 10}) {
    std::ostringstream toml;
    toml << "model = \"B\"\nmode = \"expected\"\nteacher = \"orthonormal\"\n"
            "init = \"symmetric\"\ninit_x = 0.001\ninit_y = 0.0\neta = 0.1\nsteps = 200000\n"
            "tol = 0.001\ntrials = 1\nK = "
         << K << "\nd = " << K << '\n';
    const CellConfig c = parse_sweep_text(toml.str(), "fig4_path").cells.front();
    TrajectoryRecord rec;
    const std::string text = lab.trace(c, 0, 1, &rec);
    lab.write("fig4_path_K" + std::to_string(K) + ".csv", text);
    const std::vector<double> ys = repro::parse_numeric_csv(text).values("y");
    const double max_y = *std::max_element(ys.begin(), ys.end());
    const double xs = tian_saddle_x(K);
    const SymmetricField at = symmetric_field(K, xs, xs);
    worst_rest = std::max(worst_rest, std::hypot(at.dx, at.dy));
    // x* as the root of the field along the diagonal, by bisection: independent of the formula.
    double lo = 0.05, hi = 1.0;
    for (int it = 0; it < 200; ++it) {
      const double mid = 0.5 * (lo + hi);
      (symmetric_field(K, mid, mid).dx > 0 ? lo : hi) = mid;
    }
    worst_root = std::max(worst_root, std::fabs(0.5 * (lo + hi) - xs));
    steps.push_back(rec.steps);
    outcome.push_back(to_string(rec.outcome));
    const double fx = rec.slot[ModelB::kX], fy = rec.slot[ModelB::kY];
    if (!(max_y > 1e-3 && fy < 0.1 * max_y && rec.outcome == Outcome::converged)) detour = false;
    detour_text += std::string(detour_text.empty() ? "" : "; ") + "K = " + std::to_string(K) +
                   ": y rises to " + fmt(max_y, 3) + ", ends " + to_string(rec.outcome) + " at (" +
                   fmt(fx, 3) + ", " + fmt(fy, 3) + ") after " + std::to_string(rec.steps) +
                   " steps";
    idx << K << ',' << fmt(xs, 6) << ',' << to_string(rec.outcome) << ',' << rec.steps << ','
        << fmt(max_y, 5) << ',' << fmt(fx, 5) << ',' << fmt(fy, 5) << '\n';
  }
  lab.write("fig4_paths.csv", idx.str());
  lab.check(
      {.id = "saddle-visible",
       .paper = "Fig. 4(a)-(b): \"Saddle points are visible\" at (x*, x*), x* = (sqrt(K-1) - "
                "arccos(1/sqrt(K)) + pi)/(pi K)",
       .measured = "|field| at (x*, x*) <= " + sci(worst_rest) +
                   " for K = 2, 5, 10; the diagonal root by bisection differs from x* by <= " +
                   sci(worst_root),
       .value = worst_root},
      worst_rest < 1e-9 && worst_root < 1e-9);
  lab.check(
      {.id = "detour",
       .paper = "Fig. 4(c): \"All trajectories start from (10^-3, 0) ... gradient descent dynamics "
                "takes detours\" (y grows first from 0, then falls back to 0) and reaches the "
                "teacher (1, "
                "0)",
       .measured = detour_text},
      detour, "a path does not rise in y or does not reach the teacher");
  lab.check({.id = "faster-for-larger-K",
             .paper = "Fig. 4(d): \"When K is larger the convergence is faster\"",
             .measured = "steps to reach the teacher (eta = 0.1): " + std::to_string(steps[0]) +
                         " (K = 2), " + std::to_string(steps[1]) + " (K = 5), " +
                         std::to_string(steps[2]) + " (K = 10)"},
            steps[0] > steps[1] && steps[1] > steps[2],
            "the step counts do not fall with K (eta is the same for every K here)");
  lab.figure("fig4",
             "Tian Fig. 4: (a, b) the reduced (x, y) field of the symmetric start for K = "
             "2 and 5 with the saddle (x*, x*) and the teacher (1, 0); (c) paths from "
             "(1e-3, 0) of the K-unit expected dynamics; (d) their loss");
}

}  // namespace

Experiment tian_fig4_experiment() {
  return {"tian-fig4",
          "Tian Fig. 4: the symmetric dynamics of K ReLUs",
          "Tian §4, Fig. 4",
          "the reduced field (K = 2, 5) and paths from (1e-3, 0)",
          3,
          3,
          tian_fig4};
}

}  // namespace relusim
