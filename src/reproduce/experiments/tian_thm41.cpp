// Tian Thm 4.1: the symmetric saddle and symmetry breaking (`relusim reproduce tian-thm41`; its
// figure scripts: src/reproduce/figures/tian-thm41/).
#include <algorithm>
#include <cmath>
#include <sstream>
#include "../common.hpp"
#include "relusim/models/b/cell.hpp"
#include "relusim/core/hd.hpp"
#include "relusim/models/a/theory.hpp"
#include "relusim/models/b/theory.hpp"
#include "relusim/models/model_info.hpp"
#include "relusim/reproduce/exact.hpp"
#include "relusim/reproduce/lab.hpp"
#include "experiments.hpp"

namespace relusim {
namespace {

using repro::fmt;
using repro::sci;

void tian_thm41(Lab& lab) {
  std::ostringstream toml;
  toml << R"(# Tian Thm 4.1: symmetric starts x = y end at the saddle (x*, x*); x > y reach (1, 0).
model = "B"
mode = "expected"
teacher = "orthonormal"
init = "symmetric"
eta = 0.1
steps = 100000
stuck_tol = 1e-12
trials = 1

[grid]
)"
       << "K = " << lab.pick<std::string>("[2, 5, 10]", "[2, 5]") << R"(
d = [10]
init_x = [0.1, 0.5, 1.0]
init_y = [0.0, 0.1, 0.5, 1.0]
)";
  const Lab::Sweep s = lab.sweep("thm41_sweep", toml.str());
  std::ostringstream csv;
  csv << "K,init_x,init_y,outcome,final_x,final_y,x_star\n";
  int sym = 0, sym_ok = 0, broken = 0, broken_ok = 0;
  double worst = 0;
  for (std::size_t i = 0; i < s.cells.size(); ++i) {
    const CellConfig& c = s.cells[i];
    const CellSummary& r = s.results[i].summary;
    const double fx = r.value("mean_x"), fy = r.value("mean_y"),
                 xs = tian_saddle_x(c.of<ModelBCell>().K);
    std::string out;  // trials = 1: the one outcome, as Model B names it
    for (std::size_t k = 0; k < r.counts.size(); ++k)
      if (r.counts[k] > 0) out = r.model->outcomes[k];
    csv << c.of<ModelBCell>().K << ',' << c.of<ModelBCell>().init_x << ','
        << c.of<ModelBCell>().init_y << ',' << out << ',' << fmt(fx, 8) << ',' << fmt(fy, 8) << ','
        << fmt(xs, 8) << '\n';
    if (c.of<ModelBCell>().init_x == c.of<ModelBCell>().init_y) {
      ++sym;
      const double err = std::max(std::fabs(fx - xs), std::fabs(fy - xs));
      worst = std::max(worst, err);
      if (r.rate == 0.0 && err < 1e-6) ++sym_ok;
    } else if (c.of<ModelBCell>().init_x > c.of<ModelBCell>().init_y) {
      ++broken;
      if (r.rate == 1.0) ++broken_ok;
    }
  }
  lab.write("thm41.csv", csv.str());
  lab.check(
      {.id = "symmetric-to-saddle",
       .paper = "Thm 4.1: x = y in (0, 1] converges to the saddle x = y = x*, x* = (sqrt(K-1) - "
                "arccos(1/sqrt(K)) + pi)/(pi K)",
       .measured = std::to_string(sym_ok) + " of " + std::to_string(sym) +
                   " symmetric starts end at (x*, x*) within 1e-6 (largest |(x, y) - (x*, x*)| " +
                   sci(worst) + ")",
       .value = worst},
      sym_ok == sym);
  lab.check({.id = "broken-to-teacher",
             .paper = "Thm 4.1: x > y, (x, y) in (0, 1] x [0, 1], converges to (1, 0), the teacher",
             .measured = std::to_string(broken_ok) + " of " + std::to_string(broken) +
                         " symmetry-broken starts reach the teacher",
             .value = static_cast<double>(broken_ok)},
            broken_ok == broken);
  lab.figure("thm41",
             "Tian Thm 4.1: where each symmetric-structure start (x1, y1) ends: at the "
             "saddle (x*, x*) (x = y) or at the teacher (1, 0) (x > y)");
}

}  // namespace

Experiment tian_thm41_experiment() {
  return {"tian-thm41",
          "Tian Thm 4.1: the symmetric saddle and symmetry breaking",
          "Tian §4, Theorem 4.1",
          "symmetric starts end at x*(K); x > y reach the teacher",
          2,
          3,
          tian_thm41};
}

}  // namespace relusim
