// Kong Table 1: convergence rates against Theorem 5's bound (`relusim reproduce kong-table1`; its
// figure scripts: src/reproduce/figures/kong-table1/).
#include <algorithm>
#include <cmath>
#include <sstream>
#include "../common.hpp"
#include "relusim/models/a/cell.hpp"
#include "relusim/engine/stats.hpp"
#include "relusim/models/a/theory.hpp"
#include "relusim/reproduce/kong.hpp"
#include "relusim/reproduce/lab.hpp"
#include "experiments.hpp"

namespace relusim {
namespace {

using repro::fmt;

/// Kong Table 1's theoretical column as printed, (d, N) row by row.
struct PrintedTheory {
  int d, n;
  double value;
};

constexpr PrintedTheory kPrinted[] = {{2, 10, 0.425}, {2, 20, 0.450}, {2, 100, 0.450},
                                      {3, 10, 0.373}, {3, 20, 0.449}, {3, 100, 0.450},
                                      {5, 10, 0.170}, {5, 20, 0.441}, {5, 100, 0.450}};

void kong_table1(Lab& lab) {
  std::ostringstream toml;
  toml << R"(# Kong §4, Table 1 (docs/kong-table1.md explains the choices the paper leaves open).
model = "A"
mode = "fixed"
inputs = "gaussian"
teacher = "ones"
init = "ball"
eps = 0.1
eta = 0.05
steps = 20000
criterion = "distance"
tol = 1e-3
seed = 1
)"
       << "trials = " << lab.pick(500, 60) << R"(

[grid]
N = [10, 20, 100]
d = [2, 3, 5]
regularizer = ["l2", "l1sq", "l1"]
lambda = [0.001, 0.01, 0.1]
convention = ["as-printed", "descent"]
)";
  const Lab::Sweep s = lab.sweep("table1_sweep", toml.str());

  auto cell = [&](int n, int d, Regularizer r, double lambda, Convention c) -> const CellSummary& {
    return repro::find_cell(s,
                            [&](const CellConfig& x) {
                              return x.n_samples == n && x.d == d &&
                                     x.of<ModelACell>().regularizer == r &&
                                     x.of<ModelACell>().lambda == lambda &&
                                     x.of<ModelACell>().convention == c;
                            })
        .summary;
  };
  const double lambdas[] = {0.001, 0.01, 0.1};
  const Regularizer regs[] = {Regularizer::l2, Regularizer::l1sq, Regularizer::l1};

  // The table as the paper lays it out, plus every regulariser and convention in long form.
  std::ostringstream wide, longf;
  wide << "d,N,theory_paper,theory_relusim";
  for (Regularizer r : {Regularizer::l2, Regularizer::l1sq})
    for (double l : lambdas)
      wide << ',' << to_string(r) << '_' << l << ',' << to_string(r) << '_' << l << "_lo,"
           << to_string(r) << '_' << l << "_hi";
  wide << '\n';
  longf << "d,N,regularizer,convention,lambda,rate,lo,hi,bound,verdict\n";
  int theory_matches = 0;
  double worst_theory_gap = 0.0;
  for (const PrintedTheory& t : kPrinted) {
    const double ours = kong_bound(0.1, t.n, t.d);
    if (fmt(ours) == fmt(t.value)) ++theory_matches;
    worst_theory_gap = std::max(worst_theory_gap, std::fabs(ours - t.value));
    wide << t.d << ',' << t.n << ',' << fmt(t.value) << ',' << fmt(ours, 6);
    for (Regularizer r : {Regularizer::l2, Regularizer::l1sq})
      for (double l : lambdas) {
        const CellSummary& c = cell(t.n, t.d, r, l, Convention::as_printed);
        wide << ',' << fmt(c.rate) << ',' << fmt(c.ci.lo) << ',' << fmt(c.ci.hi);
      }
    wide << '\n';
    for (Regularizer r : regs)
      for (Convention cv : {Convention::as_printed, Convention::descent})
        for (double l : lambdas) {
          const CellSummary& c = cell(t.n, t.d, r, l, cv);
          longf << t.d << ',' << t.n << ',' << to_string(r) << ','
                << (cv == Convention::as_printed ? "as-printed" : "descent") << ',' << l << ','
                << fmt(c.rate, 4) << ',' << fmt(c.ci.lo, 4) << ',' << fmt(c.ci.hi, 4) << ','
                << fmt(ours, 6) << ',' << c.verdict << '\n';
        }
  }
  lab.write("table1.csv", wide.str());
  lab.write("table1_long.csv", longf.str());

  lab.check(
      {.id = "theory-column",
       .paper = "Table 1, 3rd column: (1 - eps)(1 - A_d)/2 = 0.425, 0.450, 0.450 (d = 2), 0.373, "
                "0.449, 0.450 (d = 3), 0.170, 0.441, 0.450 (d = 5) for N = 10, 20, 100",
       .measured = "computed from Kong Lemma 1's A_d: " + std::to_string(theory_matches) +
                   " of 9 equal the printed value to three decimals (largest difference " +
                   repro::sci(worst_theory_gap) + ")",
       .value = static_cast<double>(theory_matches)},
      theory_matches == 9, "the closed form differs from the printed column");

  // The paper's claims, on its own runs: l2 and "l1" (= l1sq) with the printed sign.
  int series = 0, falling = 0, bigger_gap = 0, cells = 0, above = 0, clearly_above = 0;
  int l1_wins = 0, pairs = 0;
  std::vector<std::string> below;
  bool below_only_l2_01 = true;
  for (const PrintedTheory& t : kPrinted) {
    for (Regularizer r : {Regularizer::l2, Regularizer::l1sq}) {
      const CellSummary& a = cell(t.n, t.d, r, 0.001, Convention::as_printed);
      const CellSummary& b = cell(t.n, t.d, r, 0.01, Convention::as_printed);
      const CellSummary& c = cell(t.n, t.d, r, 0.1, Convention::as_printed);
      ++series;
      // Falls with lambda: no rise beyond the intervals, and lower at 0.1 than at 0.001.
      if (b.ci.lo <= a.ci.hi && c.ci.lo <= b.ci.hi && c.rate < a.rate) ++falling;
      if (b.rate - c.rate > a.rate - b.rate) ++bigger_gap;
      for (const CellSummary* x : {&a, &b, &c}) {
        ++cells;
        const double bound = kong_bound(0.1, t.n, t.d);
        if (x->ci.hi >= bound) ++above;
        if (x->ci.lo > bound + 0.1) ++clearly_above;
        if (x->ci.hi < bound) {
          const double l = x == &a ? 0.001 : x == &b ? 0.01 : 0.1;
          below.push_back(to_string(r) + " lambda " + fmt(l, 3) + " (N " + std::to_string(t.n) +
                          ", d " + std::to_string(t.d) + ")");
          if (r != Regularizer::l2 || l != 0.1) below_only_l2_01 = false;
        }
      }
    }
    for (double l : lambdas) {
      ++pairs;
      if (cell(t.n, t.d, Regularizer::l1sq, l, Convention::as_printed).rate >
          cell(t.n, t.d, Regularizer::l2, l, Convention::as_printed).rate)
        ++l1_wins;
    }
  }
  const auto share = [](int k, int n) { return static_cast<double>(k) / n; };
  lab.claim({.id = "falls-with-lambda",
             .paper = "(ii) \"In most situations, the experiment ratio of convergence decreases as "
                      "lambda increases\"",
             .measured = std::to_string(falling) + " of " + std::to_string(series) +
                         " (N, d, regulariser) series fall from lambda 0.001 to 0.1 without a rise "
                         "beyond the 95% intervals (as-printed sign, l2 and l1sq)",
             .value = share(falling, series)},
            repro::verdict_for_share((share(falling, series))),
            "fewer than two thirds of the series");
  lab.claim({.id = "gap-0.01-to-0.1",
             .paper = "(ii) \"the gap between lambda = 0.1 and 0.01 is much larger than the gap "
                      "between lambda = 0.01 and 0.001\"",
             .measured = std::to_string(bigger_gap) + " of " + std::to_string(series) +
                         " series drop more from 0.01 to 0.1 than from 0.001 to 0.01",
             .value = share(bigger_gap, series)},
            repro::verdict_for_share((share(bigger_gap, series))),
            "fewer than two thirds of the series");
  lab.claim(
      {.id = "above-bound",
       .paper = "(iii) \"In most cases the experiment ratio is much larger than the theoretical "
                "ratio\"",
       .measured = std::to_string(clearly_above) + " of " + std::to_string(cells) +
                   " cells lie more than 0.1 above the bound (the interval's lower end); " +
                   std::to_string(above) + " of " + std::to_string(cells) +
                   " reach it (interval's upper end)",
       .value = share(clearly_above, cells)},
      repro::verdict_for_share((share(clearly_above, cells))),
      "fewer than two thirds of the cells");
  {
    Claim c;
    const char* verdict = kNotReproduced;
    std::string why;
    c.id = "below-bound-l2-0.1";
    c.paper =
        "(i) \"four bold numbers [below the theoretical ratio], all of which lie in the "
        "l2 regularization case when lambda = 0.1\"";
    std::string list;
    for (const std::string& b : below)
      list += (list.empty() ? "" : "; ") + b;
    c.measured = std::to_string(below.size()) +
                 " cells lie below the bound (interval's upper "
                 "end): " +
                 (list.empty() ? "none" : list);
    c.value = static_cast<double>(below.size());
    if (below.empty()) {
      verdict = kNotReproduced;
      why = "no cell lies below the bound";
    } else if (below_only_l2_01) {
      verdict = below.size() == 4 ? kReproduced : kPartly;
      if (below.size() != 4) why = "all are l2 at lambda = 0.1, but not four of them";
    } else {
      verdict = kPartly;
      why = "cells other than l2 at lambda = 0.1 lie below the bound too";
    }
    lab.claim(c, verdict, why);
  }
  {
    Claim c;
    const char* verdict = kNotReproduced;
    std::string why;
    c.id = "l1-above-l2";
    c.paper =
        "(iv) \"Under the same parameters, the experiment ratio of convergence in the l1 "
        "case is always greater than that in the l2 case\"";
    c.measured = "l1sq above l2 in " + std::to_string(l1_wins) + " of " + std::to_string(pairs) +
                 " (N, d, lambda) cells";
    c.value = share(l1_wins, pairs);
    verdict = l1_wins == pairs ? kReproduced : l1_wins * 3 >= pairs * 2 ? kPartly : kNotReproduced;
    if (l1_wins != pairs)
      why =
          "not always: lambda exceeds Kong's bound (33) for most l1sq designs at 0.1, "
          "see docs/kong-table1.md";
    lab.claim(c, verdict, why);
  }
  lab.claim(kong_theorem5_claim(s.results));

  lab.figure("table1",
             "Kong Table 1: measured convergence rate (95% Wilson intervals) against "
             "lambda, as-printed sign, beside Theorem 5's bound (dashed)");
  lab.note(
      "The sweep runs both regulariser signs (`as-printed`, Kong (5); `descent`, gradient "
      "descent on the regularised loss) and the plain lasso `l1` beside Kong's `l1sq`; the "
      "claims use the paper's own runs (as-printed, l2 and l1sq). `table1.csv` is laid out "
      "like the paper's table, `table1_long.csv` holds every cell, and `table1_sweep.toml` "
      "reruns the grid with `relusim sweep`. Kong's measured columns are withheld from this "
      "project's copy of the paper, so the numbers are not compared cell by cell.");
}

}  // namespace

Experiment kong_table1_experiment() {
  return {"kong-table1",
          "Kong Table 1: convergence rates against Theorem 5's bound",
          "Kong §4, Table 1 (and Theorem 5)",
          "the 54 cells of Table 1 (both regulariser signs, l2, l1sq, l1), the theory "
          "column, and the paper's four remarks",
          4,
          15,
          kong_table1};
}

}  // namespace relusim
