// Kong Fig. 1: paths that converge (lambda 0.01) and fail (0.1) (`relusim reproduce kong-fig1`; its
// figure scripts: src/reproduce/figures/kong-fig1/).
#include <algorithm>
#include <cmath>
#include <sstream>
#include "../common.hpp"
#include "relusim/models/a/cell.hpp"
#include "relusim/engine/stats.hpp"
#include "relusim/models/a/theory.hpp"
#include "relusim/reproduce/lab.hpp"
#include "experiments.hpp"

namespace relusim {
namespace {

using repro::fmt;
using repro::rate_text;

/// The first trajectory of a cell whose outcome is (or, with `want` false, is not) converged.
std::int64_t first_with(const CellResult& r, bool want) {
  for (std::size_t i = 0; i < r.records.size(); ++i)
    if ((r.records[i].outcome == Outcome::converged) == want) return static_cast<std::int64_t>(i);
  return -1;
}

void kong_fig1(Lab& lab) {
  std::ostringstream toml;
  toml << R"(# Kong Fig. 1: N = 10, d = 2, eta = 0.05, eps = 0.1; lambda 0.01 (converges) and 0.1.
model = "A"
mode = "fixed"
N = 10
d = 2
teacher = "ones"
init = "ball"
eps = 0.1
eta = 0.05
steps = 20000
convention = "as-printed"
seed = 1
)"
       << "trials = " << lab.pick(500, 100) << R"(

[grid]
regularizer = ["l1sq", "l2"]
lambda = [0.01, 0.1]
)";
  const Lab::Sweep s = lab.sweep("fig1_sweep", toml.str(), true);
  std::ostringstream index;
  index << "panel,regularizer,lambda,trajectory,outcome,steps,rate,lo,hi\n";
  int panel = 0;
  int found[2] = {0, 0};
  std::string text[2];
  for (double lambda : {0.01, 0.1}) {
    const bool want = lambda == 0.01;
    for (Regularizer r : {Regularizer::l1sq, Regularizer::l2}) {
      const std::size_t at =
          static_cast<std::size_t>(std::find_if(s.cells.begin(), s.cells.end(),
                                                [&](const CellConfig& c) {
                                                  return c.of<ModelACell>().regularizer == r &&
                                                         c.of<ModelACell>().lambda == lambda;
                                                }) -
                                   s.cells.begin());
      const CellResult& res = s.results[at];
      const std::int64_t id = first_with(res, want);
      const int k = want ? 0 : 1;
      text[k] +=
          std::string(text[k].empty() ? "" : "; ") + to_string(r) + ": " + rate_text(res.summary);
      ++panel;
      if (id < 0) {
        index << panel << ',' << to_string(r) << ',' << lambda << ",-1,none,0,"
              << fmt(res.summary.rate, 4) << ',' << fmt(res.summary.ci.lo, 4) << ','
              << fmt(res.summary.ci.hi, 4) << '\n';
        continue;
      }
      ++found[k];
      const std::string name = "fig1_" + to_string(r) + "_" + fmt(lambda, 2) + ".csv";
      lab.write(name, lab.trace(s.cells[at], static_cast<std::uint32_t>(id), 10));
      const TrajectoryRecord& rec = res.records[static_cast<std::size_t>(id)];
      index << panel << ',' << to_string(r) << ',' << lambda << ',' << id << ','
            << to_string(rec.outcome) << ',' << rec.steps << ',' << fmt(res.summary.rate, 4) << ','
            << fmt(res.summary.ci.lo, 4) << ',' << fmt(res.summary.ci.hi, 4) << '\n';
    }
  }
  lab.write("fig1_paths.csv", index.str());
  const CellSummary& l2a = repro::find_cell(s, [](const CellConfig& c) {
                             return c.of<ModelACell>().regularizer == Regularizer::l2 &&
                                    c.of<ModelACell>().lambda == 0.01;
                           }).summary;
  const CellSummary& l2b = repro::find_cell(s, [](const CellConfig& c) {
                             return c.of<ModelACell>().regularizer == Regularizer::l2 &&
                                    c.of<ModelACell>().lambda == 0.1;
                           }).summary;
  const CellSummary& l1a = repro::find_cell(s, [](const CellConfig& c) {
                             return c.of<ModelACell>().regularizer == Regularizer::l1sq &&
                                    c.of<ModelACell>().lambda == 0.01;
                           }).summary;
  const CellSummary& l1b = repro::find_cell(s, [](const CellConfig& c) {
                             return c.of<ModelACell>().regularizer == Regularizer::l1sq &&
                                    c.of<ModelACell>().lambda == 0.1;
                           }).summary;
  lab.check(
      {.id = "converges-at-0.01",
       .paper = "Fig. 1, left 1 and 2: \"the dynamic that converges to w_hat with l1 [l2] "
                "regularization and lambda = 0.01\" (N = 10, d = 2, eta = 0.05, eps = 0.1)",
       .measured = "rates at lambda 0.01, " + text[0] + "; one converging path of each drawn"},
      found[0] == 2, "no converging trajectory for a regulariser");
  lab.check(
      {.id = "fails-at-0.1",
       .paper = "Fig. 1, left 3 and 4: dynamics that \"do not converge to w_hat\" with l1 and l2 "
                "at lambda = 0.1",
       .measured = "rates at lambda 0.1, " + text[1] + "; one failing path of each drawn"},
      found[1] == 2, "every trajectory converged for a regulariser");
  {
    Claim c;
    const char* verdict = kNotReproduced;
    std::string why;
    c.id = "lambda-0.1-worse";
    c.paper =
        "Fig. 1's choice of lambda: 0.01 \"for cases with convergence\", 0.1 \"for cases "
        "without\"";
    const bool l2_lower = l2b.ci.hi < l2a.ci.lo, l1_lower = l1b.ci.hi < l1a.ci.lo;
    c.measured = std::string(
                     "the rate at 0.1 lies below the rate at 0.01 (disjoint intervals) "
                     "for l2: ") +
                 (l2_lower ? "yes" : "no") + ", for l1sq: " + (l1_lower ? "yes" : "no");
    verdict = l2_lower && l1_lower     ? kReproduced
              : (l2_lower || l1_lower) ? kPartly
                                       : kNotReproduced;
    if (!(l2_lower && l1_lower)) why = "the intervals overlap for one regulariser";
    lab.claim(c, verdict, why);
  }
  lab.figure("fig1",
             "Kong Fig. 1: one trajectory per panel in the (w_1, w_2) plane, N = 10, "
             "d = 2, as-printed sign; converging at lambda = 0.01, failing at 0.1");
}

}  // namespace

Experiment kong_fig1_experiment() {
  return {"kong-fig1",
          "Kong Fig. 1: paths that converge (lambda 0.01) and fail (0.1)",
          "Kong §4, Figure 1",
          "2-D trajectories with l1sq and l2 at lambda 0.01 and 0.1",
          2,
          3,
          kong_fig1};
}

}  // namespace relusim
