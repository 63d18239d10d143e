// Tian Thm 3.3: convergence from a small ball, three data modes (`relusim reproduce tian-thm33`;
// its figure scripts: src/reproduce/figures/tian-thm33/).
#include <algorithm>
#include <cmath>
#include <sstream>
#include "../common.hpp"
#include "relusim/core/hd.hpp"
#include "relusim/models/a/theory.hpp"
#include "relusim/models/b/theory.hpp"
#include "relusim/reproduce/exact.hpp"
#include "relusim/reproduce/lab.hpp"
#include "experiments.hpp"

namespace relusim {
namespace {

using repro::fmt;

void tian_thm33(Lab& lab) {
  std::ostringstream toml;
  toml << R"(# Tian Thm 3.3: lambda = 0, w1 uniform in the ball of radius eps sqrt(2 pi/(d+1)) |w*|.
N = 400
B = 16
teacher = "random"
teacher_norm = 1.0
init = "ball"
eta = 0.1
seed = 3
)"
       << "steps = " << lab.pick(20000, 5000) << "\ntrials = " << lab.pick(500, 60) << R"(

[grid]
eps = [0.1, 0.5]
mode = ["fixed", "online", "expected"]
d = [2, 5, 20]
)";
  const Lab::Sweep s = lab.sweep("thm33_sweep", toml.str());
  int holds = 0, compared = 0, omega_ok = 0;
  double worst = 1.0;
  std::ostringstream csv;
  csv << "eps,mode,d,rate,lo,hi,bound,frac_in_omega,exact_in_omega,undecided\n";
  for (std::size_t i = 0; i < s.cells.size(); ++i) {
    const CellConfig& c = s.cells[i];
    const CellSummary& r = s.results[i].summary;
    const double bound = tian_bound(c.eps);
    ++compared;
    if (r.ci.hi >= bound) ++holds;
    worst = std::min(worst, r.rate - bound);
    const double exact = p_start_in_omega(c.d, ball_radius(c.d, c.eps));
    if (exact >= bound) ++omega_ok;
    csv << c.eps << ',' << to_string(c.mode) << ',' << c.d << ',' << fmt(r.rate, 4) << ','
        << fmt(r.ci.lo, 4) << ',' << fmt(r.ci.hi, 4) << ',' << fmt(bound, 4) << ','
        << fmt(r.value("frac_in_omega"), 4) << ',' << fmt(exact, 4) << ','
        << r.counts[static_cast<std::size_t>(Outcome::undecided)] << '\n';
  }
  lab.write("thm33.csv", csv.str());
  lab.check(
      {.id = "rate-above-bound",
       .paper = "Thm 3.3: \"converges to w* with probability at least (1 - eps)/2\" (the theorem "
                "is about the expected dynamics; fixed and online modes are checked too)",
       .measured = "the rate's 95% interval reaches (1 - eps)/2 in " + std::to_string(holds) +
                   " of " + std::to_string(compared) +
                   " cells (3 modes, d = 2, 5, 20, eps = 0.1, "
                   "0.5); smallest rate minus bound " +
                   fmt(worst, 3),
       .value = static_cast<double>(holds)},
      holds == compared, "a cell lies below the bound");
  lab.check({.id = "omega-above-bound",
             .paper = "Thm 3.3's proof: P(w1 in Omega) >= (1 - eps)/2",
             .measured = "exact P(start in Omega) >= (1 - eps)/2 in " + std::to_string(omega_ok) +
                         " of " + std::to_string(compared) + " cells",
             .value = static_cast<double>(omega_ok)},
            omega_ok == compared);
  lab.figure("thm33",
             "Tian Thm 3.3: convergence rate (95% intervals) against d in the three "
             "data modes, beside the fraction of starts in Omega and the bound "
             "(1 - eps)/2");
}

}  // namespace

Experiment tian_thm33_experiment() {
  return {"tian-thm33",
          "Tian Thm 3.3: convergence from a small ball, three data modes",
          "Tian §3, Theorem 3.3",
          "rates against (1 - eps)/2 for d = 2, 5, 20",
          3,
          5,
          tian_thm33};
}

}  // namespace relusim
