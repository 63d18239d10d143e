// Kong's experiments (§4): Table 1, Figure 1 (paths at lambda 0.01 and 0.1), Figure 2 (fields).
// Over 500 lines: three experiments and their figure scripts; to be split one file per
// experiment, each figure script a real .py file.
#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "common.hpp"
#include "relusim/engine/stats.hpp"
#include "relusim/models/a/theory.hpp"
#include "relusim/models/field.hpp"
#include "relusim/reproduce/kong.hpp"
#include "relusim/reproduce/lab.hpp"

namespace relusim {
namespace {

using repro::fmt;
using repro::rate_text;

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
                              return x.n_samples == n && x.d == d && x.regularizer == r &&
                                     x.lambda == lambda && x.convention == c;
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

  {
    Claim c;
    c.id = "theory-column";
    c.paper =
        "Table 1, 3rd column: (1 - eps)(1 - A_d)/2 = 0.425, 0.450, 0.450 (d = 2), 0.373, "
        "0.449, 0.450 (d = 3), 0.170, 0.441, 0.450 (d = 5) for N = 10, 20, 100";
    c.measured = "computed from Kong Lemma 1's A_d: " + std::to_string(theory_matches) +
                 " of 9 equal the printed value to three decimals (largest difference " +
                 repro::sci(worst_theory_gap) + ")";
    c.value = theory_matches;
    c.verdict = theory_matches == 9 ? kReproduced : kNotReproduced;
    if (theory_matches != 9) c.reason = "the closed form differs from the printed column";
    lab.claim(c);
  }

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
  {
    Claim c;
    c.id = "falls-with-lambda";
    c.paper =
        "(ii) \"In most situations, the experiment ratio of convergence decreases as "
        "lambda increases\"";
    c.measured = std::to_string(falling) + " of " + std::to_string(series) +
                 " (N, d, regulariser) series fall from lambda 0.001 to 0.1 without a rise "
                 "beyond the 95% intervals (as-printed sign, l2 and l1sq)";
    c.value = share(falling, series);
    c.verdict = repro::verdict_for_share(c.value);
    if (c.verdict != std::string(kReproduced)) c.reason = "fewer than two thirds of the series";
    lab.claim(c);
  }
  {
    Claim c;
    c.id = "gap-0.01-to-0.1";
    c.paper =
        "(ii) \"the gap between lambda = 0.1 and 0.01 is much larger than the gap "
        "between lambda = 0.01 and 0.001\"";
    c.measured = std::to_string(bigger_gap) + " of " + std::to_string(series) +
                 " series drop more from 0.01 to 0.1 than from 0.001 to 0.01";
    c.value = share(bigger_gap, series);
    c.verdict = repro::verdict_for_share(c.value);
    if (c.verdict != std::string(kReproduced)) c.reason = "fewer than two thirds of the series";
    lab.claim(c);
  }
  {
    Claim c;
    c.id = "above-bound";
    c.paper =
        "(iii) \"In most cases the experiment ratio is much larger than the theoretical "
        "ratio\"";
    c.measured = std::to_string(clearly_above) + " of " + std::to_string(cells) +
                 " cells lie more than 0.1 above the bound (the interval's lower end); " +
                 std::to_string(above) + " of " + std::to_string(cells) +
                 " reach it (interval's upper end)";
    c.value = share(clearly_above, cells);
    c.verdict = repro::verdict_for_share(c.value);
    if (c.verdict != std::string(kReproduced)) c.reason = "fewer than two thirds of the cells";
    lab.claim(c);
  }
  {
    Claim c;
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
      c.verdict = kNotReproduced;
      c.reason = "no cell lies below the bound";
    } else if (below_only_l2_01) {
      c.verdict = below.size() == 4 ? kReproduced : kPartly;
      if (below.size() != 4) c.reason = "all are l2 at lambda = 0.1, but not four of them";
    } else {
      c.verdict = kPartly;
      c.reason = "cells other than l2 at lambda = 0.1 lie below the bound too";
    }
    lab.claim(c);
  }
  {
    Claim c;
    c.id = "l1-above-l2";
    c.paper =
        "(iv) \"Under the same parameters, the experiment ratio of convergence in the l1 "
        "case is always greater than that in the l2 case\"";
    c.measured = "l1sq above l2 in " + std::to_string(l1_wins) + " of " + std::to_string(pairs) +
                 " (N, d, lambda) cells";
    c.value = share(l1_wins, pairs);
    c.verdict = l1_wins == pairs           ? kReproduced
                : l1_wins * 3 >= pairs * 2 ? kPartly
                                           : kNotReproduced;
    if (l1_wins != pairs)
      c.reason =
          "not always: lambda exceeds Kong's bound (33) for most l1sq designs at 0.1, "
          "see docs/kong-table1.md";
    lab.claim(c);
  }
  lab.claim(kong_theorem5_claim(s.results));

  lab.figure("table1",
             "Kong Table 1: measured convergence rate (95% Wilson intervals) against "
             "lambda, as-printed sign, beside Theorem 5's bound (dashed)",
             R"PY(t = read("table1_long.csv")
fig, axes = plt.subplots(3, 3, figsize=(10, 8.5), sharex=True, sharey=True)
styles = {"l2": ("C0", "o", "l2"), "l1sq": ("C3", "s", "l1sq (Kong's l1)"),
          "l1": ("C2", "^", "l1 (lasso)")}
for i, d in enumerate([2, 3, 5]):
    for j, n in enumerate([10, 20, 100]):
        ax = axes[i, j]
        for reg, (colour, marker, label) in styles.items():
            m = (t["d"] == d) & (t["N"] == n) & (t["regularizer"] == reg) & \
                (t["convention"] == "as-printed")
            lam, rate = t["lambda"][m], t["rate"][m]
            err = [rate - t["lo"][m], t["hi"][m] - rate]
            ax.errorbar(lam, rate, yerr=err, color=colour, marker=marker, capsize=3,
                        label=label)
        bound = t["bound"][(t["d"] == d) & (t["N"] == n)][0]
        ax.axhline(bound, color="black", linestyle="--", linewidth=1,
                   label="bound (1-eps)(1-A_d)/2")
        ax.set_xscale("log")
        ax.set_ylim(0, 1.02)
        ax.set_title("d = %d, N = %d" % (d, n))
        if i == 2:
            ax.set_xlabel("lambda")
        if j == 0:
            ax.set_ylabel("convergence rate")
axes[0, 0].legend(fontsize=8, loc="lower left")
)PY");
  lab.note(
      "The sweep runs both regulariser signs (`as-printed`, Kong (5); `descent`, gradient "
      "descent on the regularised loss) and the plain lasso `l1` beside Kong's `l1sq`; the "
      "claims use the paper's own runs (as-printed, l2 and l1sq). `table1.csv` is laid out "
      "like the paper's table, `table1_long.csv` holds every cell, and `table1_sweep.toml` "
      "reruns the grid with `relusim sweep`. Kong's measured columns are withheld from this "
      "project's copy of the paper, so the numbers are not compared cell by cell.");
}

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
                                                  return c.regularizer == r && c.lambda == lambda;
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
                             return c.regularizer == Regularizer::l2 && c.lambda == 0.01;
                           }).summary;
  const CellSummary& l2b = repro::find_cell(s, [](const CellConfig& c) {
                             return c.regularizer == Regularizer::l2 && c.lambda == 0.1;
                           }).summary;
  const CellSummary& l1a = repro::find_cell(s, [](const CellConfig& c) {
                             return c.regularizer == Regularizer::l1sq && c.lambda == 0.01;
                           }).summary;
  const CellSummary& l1b = repro::find_cell(s, [](const CellConfig& c) {
                             return c.regularizer == Regularizer::l1sq && c.lambda == 0.1;
                           }).summary;
  {
    Claim c;
    c.id = "converges-at-0.01";
    c.paper =
        "Fig. 1, left 1 and 2: \"the dynamic that converges to w_hat with l1 [l2] "
        "regularization and lambda = 0.01\" (N = 10, d = 2, eta = 0.05, eps = 0.1)";
    c.measured = "rates at lambda 0.01, " + text[0] + "; one converging path of each drawn";
    c.verdict = found[0] == 2 ? kReproduced : kNotReproduced;
    if (found[0] != 2) c.reason = "no converging trajectory for a regulariser";
    lab.claim(c);
  }
  {
    Claim c;
    c.id = "fails-at-0.1";
    c.paper =
        "Fig. 1, left 3 and 4: dynamics that \"do not converge to w_hat\" with l1 and l2 "
        "at lambda = 0.1";
    c.measured = "rates at lambda 0.1, " + text[1] + "; one failing path of each drawn";
    c.verdict = found[1] == 2 ? kReproduced : kNotReproduced;
    if (found[1] != 2) c.reason = "every trajectory converged for a regulariser";
    lab.claim(c);
  }
  {
    Claim c;
    c.id = "lambda-0.1-worse";
    c.paper =
        "Fig. 1's choice of lambda: 0.01 \"for cases with convergence\", 0.1 \"for cases "
        "without\"";
    const bool l2_lower = l2b.ci.hi < l2a.ci.lo, l1_lower = l1b.ci.hi < l1a.ci.lo;
    c.measured = std::string(
                     "the rate at 0.1 lies below the rate at 0.01 (disjoint intervals) "
                     "for l2: ") +
                 (l2_lower ? "yes" : "no") + ", for l1sq: " + (l1_lower ? "yes" : "no");
    c.verdict = l2_lower && l1_lower     ? kReproduced
                : (l2_lower || l1_lower) ? kPartly
                                         : kNotReproduced;
    if (!(l2_lower && l1_lower)) c.reason = "the intervals overlap for one regulariser";
    lab.claim(c);
  }
  lab.figure("fig1",
             "Kong Fig. 1: one trajectory per panel in the (w_1, w_2) plane, N = 10, "
             "d = 2, as-printed sign; converging at lambda = 0.01, failing at 0.1",
             R"PY(idx = read("fig1_paths.csv")
fig, axes = plt.subplots(1, 4, figsize=(13, 3.6))
for k, ax in enumerate(axes):
    reg, lam, tid = idx["regularizer"][k], idx["lambda"][k], int(idx["trajectory"][k])
    name = "l1sq (Kong's l1)" if reg == "l1sq" else reg
    ax.set_title("%s, lambda = %g\n%s after %d steps" % (name, lam, idx["outcome"][k],
                                                        int(idx["steps"][k])), fontsize=9)
    ax.plot(1, 1, "*", color="gold", markersize=15, markeredgecolor="black",
            label="teacher w* = (1, 1)")
    if tid >= 0:
        p = read("fig1_%s_%.2f.csv" % (reg, lam))
        ax.plot(p["w0"], p["w1"], "-", color="C0", linewidth=1.5, label="path")
        ax.plot(p["w0"][0], p["w1"][0], "o", color="C2", label="start")
        ax.plot(p["w0"][-1], p["w1"][-1], "s", color="C3", label="end")
    ax.set_xlabel("w_1")
    ax.set_ylabel("w_2")
    ax.set_aspect("equal", adjustable="datalim")
axes[0].legend(fontsize=7, loc="lower right")
)PY");
}

void kong_fig2(Lab& lab) {
  CellConfig base;
  base.model = "A";
  base.mode = DataMode::fixed;
  base.n_samples = 10;
  base.d = 2;
  base.lambda = 0.01;
  base.convention = Convention::as_printed;
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
      c.regularizer = r;
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
    c.regularizer = r;
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
    c.id = "lyapunov-in-omega";
    c.paper =
        "Kong Thm 2 / Thm 4 (the fields of Fig. 2): V = |w - w_hat|^2 / 2 decreases "
        "inside the ball of radius |w*| around w*";
    c.measured = std::to_string(decreasing) + " of " + std::to_string(inside) +
                 " grid points inside that ball (both fields) point towards w_hat";
    c.value = static_cast<double>(decreasing) / std::max(inside, 1);
    c.verdict = decreasing == inside ? kReproduced : c.value >= 0.9 ? kPartly : kNotReproduced;
    if (decreasing != inside) c.reason = "some arrows inside the ball point away from w_hat";
    lab.claim(c);
  }
  {
    Claim c;
    c.id = "rest-at-w-hat";
    c.paper = "Kong (14), (25): w_hat is the stationary point of the regularised dynamics";
    c.measured = rest_text;
    c.value = worst_rest;
    c.verdict = worst_rest < 1e-8 ? kReproduced : kNotReproduced;
    if (worst_rest >= 1e-8) c.reason = "the field does not vanish at w_hat";
    lab.claim(c);
  }
  lab.figure("fig2",
             "Kong Fig. 2: the normalised update direction on a grid (colour: its speed), "
             "l1sq (left) and l2 (right), lambda = 0.01, as-printed sign, N = 10, design of "
             "trajectory " +
                 std::to_string(id) + "; the circle is the ball |w - w*| < |w*|",
             R"PY(from matplotlib.colors import LogNorm
fig, axes = plt.subplots(1, 2, figsize=(11, 5))
for ax, reg, name in zip(axes, ["l1sq", "l2"], ["l1sq (Kong's l1)", "l2"]):
    f = read("fig2_%s.csv" % reg)
    ok = np.isfinite(f["speed"]) & (f["speed"] > 0)
    s = f["speed"][ok]
    q = ax.quiver(f["x"][ok], f["y"][ok], f["dx"][ok] / s, f["dy"][ok] / s, s,
                  cmap="viridis", norm=LogNorm(vmin=s.min(), vmax=s.max()), angles="xy",
                  pivot="mid", width=0.004)
    fig.colorbar(q, ax=ax, shrink=0.8, label="speed |Delta(w)|")
    t = np.linspace(0, 2 * np.pi, 200)
    ax.plot(1 + np.sqrt(2) * np.cos(t), 1 + np.sqrt(2) * np.sin(t), "k:", linewidth=1,
            label="|w - w*| = |w*|")
    m = read("fig2_%s_marks.csv" % reg)
    ax.plot(m["x"][0], m["y"][0], "*", color="gold", markersize=15, markeredgecolor="black",
            label="teacher w*", linestyle="none")
    ax.plot(m["x"][1], m["y"][1], "X", color="C3", markersize=11, markeredgecolor="black",
            label="target w_hat", linestyle="none")
    ax.set_title(name + ", lambda = 0.01")
    ax.set_xlabel("w_1")
    ax.set_ylabel("w_2")
    ax.set_xlim(-0.6, 2.1)
    ax.set_ylim(-0.6, 2.1)
    ax.set_aspect("equal")
axes[0].legend(fontsize=8, loc="lower right")
)PY");
}

}  // namespace

Claim kong_theorem5_claim(const std::vector<CellResult>& results) {
  int violated = 0, compared = 0, censored = 0;
  for (const CellResult& r : results) {
    const std::string& v = r.summary.verdict;
    if (v == kVerdictHolds || v == kVerdictViolated) ++compared;
    if (v == kVerdictViolated) ++violated;
    if (v == kVerdictCensored) ++censored;
  }
  Claim c;
  c.id = "theorem5-holds";
  c.paper = "Theorem 5: P(converge) >= (1 - eps)(1 - A_d)/2 for small lambda";
  c.measured = std::to_string(compared) + " of " + std::to_string(results.size()) +
               " cells (both signs, l2, l1sq, l1) meet the small-lambda hypothesis for most "
               "designs; the bound is violated in " +
               std::to_string(violated) + " of them";
  if (censored > 0)
    c.measured += "; " + std::to_string(censored) +
                  " more are censored (too many trajectories undecided at the step budget to "
                  "tell)";
  c.value = violated;
  if (violated > 0) {
    c.verdict = kNotReproduced;
    c.reason = "the interval lies below the bound inside the hypotheses";
  } else if (compared == 0) {
    c.verdict = kNotReproduced;
    c.reason = censored > 0 ? "every cell within the hypotheses is censored: raise steps"
                            : "no cell within the hypotheses";
  } else if (censored > 0) {
    c.verdict = kPartly;
    c.reason = std::to_string(censored) + " cells within the hypotheses are censored: raise steps";
  } else {
    c.verdict = kReproduced;
  }
  return c;
}

void add_kong_experiments(std::vector<Experiment>& out) {
  out.push_back({"kong-table1", "Kong Table 1: convergence rates against Theorem 5's bound",
                 "Kong §4, Table 1 (and Theorem 5)",
                 "the 54 cells of Table 1 (both regulariser signs, l2, l1sq, l1), the theory "
                 "column, and the paper's four remarks",
                 4, 15, kong_table1});
  out.push_back({"kong-fig1", "Kong Fig. 1: paths that converge (lambda 0.01) and fail (0.1)",
                 "Kong §4, Figure 1", "2-D trajectories with l1sq and l2 at lambda 0.01 and 0.1", 2,
                 3, kong_fig1});
  out.push_back({"kong-fig2", "Kong Fig. 2: normalised vector fields for l1 and l2",
                 "Kong §4, Figure 2 (Theorems 2 and 4)",
                 "the update field of one design, l1sq and l2 at lambda 0.01, with the Lyapunov "
                 "check inside the ball",
                 2, 2, kong_fig2});
}

}  // namespace relusim
