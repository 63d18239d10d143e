// Tian Fig. 2(b): starts inside Omega against the ball's radius (`relusim reproduce tian-fig2`; its
// figure scripts: src/reproduce/figures/tian-fig2/).
#include <algorithm>
#include <cmath>
#include <sstream>
#include "../common.hpp"
#include "relusim/core/hd.hpp"
#include "relusim/models/a/model.hpp"
#include "relusim/models/a/theory.hpp"
#include "relusim/models/b/theory.hpp"
#include "relusim/reproduce/exact.hpp"
#include "relusim/reproduce/lab.hpp"
#include "experiments.hpp"

namespace relusim {
namespace {

using repro::fmt;

void tian_fig2(Lab& lab) {
  const std::vector<int> dims = {2, 5, 20};
  const std::vector<double> eps = {0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
  std::ostringstream toml;
  toml << "# Tian Fig. 2(b): how often a start uniform in the ball of radius eps sqrt(2 pi/(d+1)) "
          "|w*|\n# lands in Omega = {|w - w*| < |w*|}. Only the start matters: one step.\n"
          "model = \"A\"\nmode = \"expected\"\nteacher = \"random\"\ninit = \"ball\"\n"
          "steps = 1\nseed = 5\n"
       << "trials = " << lab.pick(4000, 1000) << "\n\n[grid]\nd = [2, 5, 20]\neps = [";
  for (std::size_t i = 0; i < eps.size(); ++i)
    toml << (i ? ", " : "") << eps[i];
  toml << "]\n";
  const Lab::Sweep s = lab.sweep("fig2_sweep", toml.str());

  std::ostringstream sampled, exact;
  sampled << "d,eps,r,sampled,lo,hi,exact,bound\n";
  int inside_ci = 0, cells = 0;
  double worst_z = 0.0;
  for (std::size_t i = 0; i < s.cells.size(); ++i) {
    const CellConfig& c = s.cells[i];
    const CellTally& t = s.results[i].summary.tally;
    const std::int64_t k = t.flag_counts[ModelA::kStartedInOmega];
    const double frac = static_cast<double>(k) / static_cast<double>(t.trials);
    const Interval ci = wilson_interval(k, t.trials);
    const double r = ball_radius(c.d, c.eps);
    const double p = p_start_in_omega(c.d, r);
    ++cells;
    if (ci.lo <= p && p <= ci.hi) ++inside_ci;
    worst_z = std::max(
        worst_z, std::fabs(frac - p) / std::sqrt(p * (1 - p) / static_cast<double>(t.trials)));
    sampled << c.d << ',' << c.eps << ',' << fmt(r, 6) << ',' << fmt(frac, 5) << ','
            << fmt(ci.lo, 5) << ',' << fmt(ci.hi, 5) << ',' << fmt(p, 6) << ','
            << fmt(tian_bound(c.eps), 6) << '\n';
  }
  lab.write("fig2_sampled.csv", sampled.str());

  // The exact fraction on a fine grid, for many d: the bound must hold everywhere.
  exact << "d,eps,r,exact,bound\n";
  double worst_margin = 1.0;
  std::string worst_at;
  for (int d : {2, 3, 5, 10, 20, 50, 100}) {
    for (int k = 1; k < 200; ++k) {
      const double e = k / 200.0;
      const double r = ball_radius(d, e);
      const double p = p_start_in_omega(d, r);
      const double margin = p - tian_bound(e);
      if (margin < worst_margin) {
        worst_margin = margin;
        worst_at = "d = " + std::to_string(d) + ", eps = " + fmt(e, 3);
      }
      exact << d << ',' << e << ',' << fmt(r, 6) << ',' << fmt(p, 8) << ',' << fmt(tian_bound(e), 8)
            << '\n';
    }
  }
  lab.write("fig2_exact.csv", exact.str());
  lab.check(
      {.id = "bound-below-exact",
       .paper = "Thm 3.3's proof: a start uniform in B_r, r <= eps sqrt(2 pi/(d+1)) |w*|, lands "
                "in the convergent region with probability >= (1 - eps)/2",
       .measured = "exact P(start in Omega) minus (1 - eps)/2 over eps in (0, 1), d in {2, 3, 5, "
                   "10, 20, 50, 100}: smallest margin " +
                   fmt(worst_margin, 4) + " (at " + worst_at + ")",
       .value = worst_margin},
      worst_margin >= 0.0, "the exact fraction falls below the bound");
  lab.check(
      {.id = "exact-matches-sampling",
       .paper = "(the exact lens volume relusim computes stands for the sampled fraction)",
       .measured = "the exact value lies inside the 95% interval of the sampled fraction in " +
                   std::to_string(inside_ci) + " of " + std::to_string(cells) +
                   " cells; largest deviation " + fmt(worst_z, 2) +
                   " standard errors (the cells of one d share their draws: one seed, nested "
                   "balls, so their misses are not independent)",
       .value = worst_z},
      worst_z < 4.0, "a cell deviates by more than 4 standard errors");
  {
    const double p = p_start_in_omega(20, ball_radius(20, 0.01));
    Claim c;
    c.id = "half-near-origin";
    c.paper =
        "\"sample around the origin with very small radius ... almost half of the samples "
        "is useful\" (Fig. 2(a))";
    c.measured = "exact P(start in Omega) at eps = 0.01: " + fmt(p, 4) + " (d = 20), " +
                 fmt(p_start_in_omega(2, ball_radius(2, 0.01)), 4) + " (d = 2)";
    c.value = p;
    lab.check(c, p > 0.49 && p <= 0.5);
  }
  lab.figure("fig2",
             "Tian Fig. 2(b): the fraction of ball starts inside Omega against the ball's "
             "radius: exact (lines), sampled (points, 95% intervals), and the bound "
             "(1 - eps)/2 (dashed)");
}

}  // namespace

Experiment tian_fig2_experiment() {
  return {"tian-fig2",
          "Tian Fig. 2(b): starts inside Omega against the ball's radius",
          "Tian §3, Fig. 2 and Thm 3.3's proof",
          "P(start in Omega), exact and sampled, beside (1 - eps)/2",
          2,
          3,
          tian_fig2};
}

}  // namespace relusim
