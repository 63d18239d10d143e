// The identity-mapping experiments: Li & Yuan Fig. 7 (ResLink against vanilla) and Fig. 8 (the
// two phases), and the PReLU report's Fig. 4 and zero-initialisation stage (MODEL.md §3, §3.1).
// Over 500 lines: four experiments and their figure scripts; to be split one file per
// experiment, each figure script a real .py file.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "common.hpp"
#include "relusim/reproduce/lab.hpp"

namespace relusim {
namespace {

using repro::fmt;
using repro::rate_text;
using repro::sci;

/// Traces runs 0..runs-1 of `cell` into one CSV with a leading `run` column; returns the records.
std::vector<TrajectoryRecord> trace_runs(Lab& lab, const CellConfig& cell, int runs,
                                         std::int64_t every, const std::string& name,
                                         std::vector<repro::NumericTable>* tables = nullptr) {
  std::vector<TrajectoryRecord> recs;
  std::ostringstream all;
  for (int k = 0; k < runs; ++k) {
    TrajectoryRecord r;
    const std::string text = lab.trace(cell, static_cast<std::uint32_t>(k), every, &r);
    recs.push_back(r);
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    if (k == 0) all << "run," << line << '\n';
    while (std::getline(in, line))
      all << k << ',' << line << '\n';
    if (tables != nullptr) tables->push_back(repro::parse_numeric_csv(text));
  }
  lab.write(name, all.str());
  return recs;
}

CellConfig model_c(const std::string& toml) {
  SweepConfig s = parse_sweep_text(toml, "cell");
  return s.cells.front();
}

void liyuan_fig7(Lab& lab) {
  const int runs = 5;
  std::ostringstream base;
  base << R"(# Li & Yuan §5.2 / Fig. 7: d = 100, |W*|_2 = 0.6, |W*|_F = 5.7, batch 200, eta = 0.001.
model = "C"
d = 100
mode = "online"
B = 200
eta = 0.001
teacher = "spectrum"
teacher_spectral = 0.6
teacher_frobenius = 5.7
init = "spectrum"
init_spectral = 0.6
init_frobenius = 5
tol = 0.05
early_stop = false
)"
       << "steps = " << lab.pick(20000, 800) << "\ndiagnostics_every = " << lab.pick(100, 100)
       << "\ntrials = " << runs << '\n';
  lab.write("fig7_cell.toml", base.str() + "\n[grid]\nidentity = [true, false]\n");
  const std::int64_t every = lab.pick(200, 100);
  std::vector<repro::NumericTable> res_t, van_t;
  CellConfig res = model_c(base.str() + "identity = true\n");
  CellConfig van = model_c(base.str() + "identity = false\n");
  lab.say("ResLink, " + std::to_string(runs) + " runs");
  const auto rr = trace_runs(lab, res, runs, every, "fig7_reslink.csv", &res_t);
  lab.say("vanilla, " + std::to_string(runs) + " runs");
  trace_runs(lab, van, runs, every, "fig7_vanilla.csv", &van_t);
  int res_conv = 0, van_conv = 0, res_fell = 0;
  double res_d0 = 0, res_d1 = 0, van_d0 = 0, van_d1 = 0, res_l0 = 0, res_l1 = 0;
  for (int k = 0; k < runs; ++k) {
    const auto rd = res_t[static_cast<std::size_t>(k)].values("dist_spec");
    const auto vd = van_t[static_cast<std::size_t>(k)].values("dist_spec");
    const auto rl = res_t[static_cast<std::size_t>(k)].values("loss");
    res_d0 += rd.front() / runs;
    res_d1 += rd.back() / runs;
    van_d0 += vd.front() / runs;
    van_d1 += vd.back() / runs;
    res_l0 += rl.front() / runs;
    res_l1 += rl.back() / runs;
    if (rr[static_cast<std::size_t>(k)].outcome == Outcome::converged ||
        rd.back() < 0.05 * rd.front())
      ++res_conv;
    if (rd.back() < 0.2 * rd.front()) ++res_fell;
    if (vd.back() < 0.05 * vd.front()) ++van_conv;
  }
  {
    Claim c;
    c.id = "reslink-finds-optimum";
    c.paper =
        "Fig. 7(b): \"the distance between W and W* converges to 0, meaning ResLink indeed "
        "finds the global optimal in all 5 trials\"";
    c.measured = std::to_string(res_conv) +
                 " of 5 ResLink runs end with |W - W*|_2 below 5% of "
                 "its start (mean " +
                 sci(res_d0) + " -> " + sci(res_d1) + ")";
    c.value = res_conv;
    c.verdict = res_conv == runs ? kReproduced : res_fell == runs ? kPartly : kNotReproduced;
    if (c.verdict == std::string(kPartly))
      c.reason =
          "every run's distance falls below a fifth of its start and is still falling, "
          "but not below 5% within " +
          std::to_string(res.steps) + " steps (the paper does not state its step count)";
    else if (res_conv != runs)
      c.reason = "not every run's distance falls below a fifth of its start within " +
                 std::to_string(res.steps) + " steps";
    lab.claim(c);
  }
  {
    Claim c;
    c.id = "vanilla-does-not";
    c.paper = "Fig. 7(b): \"for vanilla network ... |W - W*|_2 does not converge to zero\"";
    c.measured = std::to_string(runs - van_conv) +
                 " of 5 vanilla runs keep |W - W*|_2 above 5% "
                 "of its start (mean " +
                 sci(van_d0) + " -> " + sci(van_d1) + ")";
    c.value = runs - van_conv;
    c.verdict = van_conv == 0 ? kReproduced : kNotReproduced;
    lab.claim(c);
  }
  {
    Claim c;
    c.id = "reslink-zero-error";
    c.paper = "Fig. 7(a): \"ResLink has both zero test error and training error\"";
    c.measured = "ResLink's population (test) loss falls from " + sci(res_l0) + " to " +
                 sci(res_l1) + " (mean of 5 runs)";
    c.value = res_l1 / res_l0;
    c.verdict = res_l1 < 1e-3 * res_l0  ? kReproduced
                : res_l1 < 0.1 * res_l0 ? kPartly
                                        : kNotReproduced;
    if (c.verdict != std::string(kReproduced)) c.reason = "the loss has not fallen by 10^3";
    lab.claim(c);
  }
  lab.figure("fig7",
             "Li & Yuan Fig. 7: ResLink against vanilla, d = 100, batch 200, eta = "
             "0.001, 5 runs each (thin) and their mean (thick): (a) population (test) "
             "loss, (b) |W - W*|_2",
             R"PY(fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
for name, colour, label in [("reslink", "C0", "ResLink"), ("vanilla", "C3", "vanilla")]:
    t = read("fig7_%s.csv" % name)
    runs = sorted(set(t["run"].astype(int)))
    for k in runs:
        m = t["run"] == k
        ax1.semilogy(t["step"][m], t["loss"][m], color=colour, alpha=0.3, linewidth=0.8)
        ax2.semilogy(t["step"][m], t["dist_spec"][m], color=colour, alpha=0.3, linewidth=0.8)
    m0 = t["run"] == runs[0]
    steps = t["step"][m0]
    loss = np.mean([t["loss"][t["run"] == k] for k in runs], axis=0)
    dist = np.mean([t["dist_spec"][t["run"] == k] for k in runs], axis=0)
    ax1.semilogy(steps, loss, color=colour, linewidth=2, label=label)
    ax2.semilogy(steps, dist, color=colour, linewidth=2, label=label)
ax1.set_xlabel("SGD step")
ax1.set_ylabel("population loss E[(f(x, W) - f(x, W*))^2]")
ax1.set_title("(a) test loss")
ax2.set_xlabel("SGD step")
ax2.set_ylabel("|W - W*|_2")
ax2.set_title("(b) distance to the teacher")
ax1.legend()
ax2.legend()
)PY");
  lab.note(
      "Online SGD draws fresh samples every step (an unlimited training set), so the "
      "training loss and the population (test) loss have the same expectation; relusim "
      "records the population loss in closed form. The paper's 3-Block network is not part "
      "of relusim. Vanilla learns the ResLink teacher from the same small start (MODEL.md "
      "§3.1); its distance is measured to the matched teacher units, as in the paper's "
      "footnote 3.");
}

void liyuan_fig8(Lab& lab) {
  std::ostringstream toml;
  toml << R"(# Li & Yuan §5.3 / Fig. 8: W* = 0, |W|_2 = 0.15, |W|_F = 5, batch 300, eta = 1e-4.
model = "C"
mode = "online"
teacher = "zero"
init = "spectrum"
init_spectral = 0.15
B = 300
eta = 0.0001
tol = 0.05
early_stop = false
diagnostics_every = 1
trials = 1
)"
       << "d = " << lab.pick(1500, 200) << "\nsteps = "
       << lab.pick(150, 200)
       // |W|_F / |W|_2 <= sqrt(d): the quick version keeps the ratio |W|_F / sqrt(d).
       << "\ninit_frobenius = " << lab.pick(5.0, 1.8) << '\n';
  lab.write("fig8_cell.toml", toml.str());
  const CellConfig cell = model_c(toml.str());
  lab.say("one run of " + std::to_string(cell.steps) + " steps at d = " + std::to_string(cell.d));
  TrajectoryRecord rec;
  const std::string text = lab.trace(cell, 0, 1, &rec);
  lab.write("fig8_trace.csv", text);
  const repro::NumericTable t = repro::parse_numeric_csv(text);
  const auto inner = t.values("inner"), g = t.values("g"), dist = t.values("dist_fro");
  std::int64_t turns = -1;
  for (std::size_t i = 0; i < inner.size(); ++i)
    if (inner[i] > 0 && turns < 0) turns = static_cast<std::int64_t>(t.rows[i][0]);
  const std::size_t at100 = std::min<std::size_t>(100, g.size() - 1);
  {
    Claim c;
    c.id = "inner-negative-then-positive";
    c.paper =
        "Fig. 8(a): \"initially the inner product ... is negative, then after about 15 "
        "iterations, it turns positive\"";
    c.measured = "inner product at step 0: " + sci(inner.front()) +
                 (turns < 0 ? std::string("; it never turns positive")
                            : "; first positive at step " + std::to_string(turns));
    c.value = inner.front();
    if (inner.front() < 0 && turns > 0) {
      c.verdict = turns >= 5 && turns <= 50 ? kReproduced : kPartly;
      if (c.verdict == std::string(kPartly)) c.reason = "it turns positive, but not near step 15";
    } else {
      c.verdict = kNotReproduced;
      c.reason = inner.front() >= 0
                     ? "with a generic W of these norms (Haar singular vectors, MODEL.md §3.1) "
                       "the inner product is positive from the start; the paper's construction "
                       "of W is not stated"
                     : "the inner product never turns positive";
    }
    lab.claim(c);
  }
  {
    Claim c;
    c.id = "g-decreases";
    c.paper =
        "Fig. 8(a): \"the potential g keeps decreasing to a small value\" in the first 100 "
        "iterations";
    c.measured = "g: " + sci(g.front()) + " at step 0, " + sci(g[at100]) + " at step " +
                 std::to_string(static_cast<std::int64_t>(t.rows[at100][0]));
    c.value = g[at100] / g.front();
    c.verdict = std::fabs(g[at100]) < 0.5 * std::fabs(g.front()) ? kReproduced : kNotReproduced;
    if (c.verdict != std::string(kReproduced)) c.reason = "|g| has not halved by step 100";
    lab.claim(c);
  }
  {
    Claim c;
    c.id = "distance-unaffected";
    c.paper =
        "Fig. 8(a): \"the distance to optimal (which also equals to |W|_F in this "
        "experiment) is not affected\" in the first 100 iterations";
    const double change = std::fabs(dist[at100] - dist.front()) / dist.front();
    c.measured = "|W|_F: " + fmt(dist.front(), 4) + " -> " + fmt(dist[at100], 4) + " (" +
                 fmt(100 * change, 2) + "%)";
    c.value = change;
    c.verdict = change < 0.05 ? kReproduced : kNotReproduced;
    lab.claim(c);
  }
  {
    bool positive = true;
    for (std::size_t i = at100; i < inner.size(); ++i)
      if (!(inner[i] > 0)) positive = false;
    Claim c;
    c.id = "phase-two";
    c.paper =
        "Fig. 8(b): \"the inner product is always positive, and the distance to optimal is "
        "slowly decreasing\"";
    c.measured = std::string("after step 100 the inner product is ") +
                 (positive ? "positive at every step" : "not always positive") + "; |W|_F " +
                 fmt(dist[at100], 4) + " -> " + fmt(dist.back(), 4) + " at step " +
                 std::to_string(rec.steps);
    c.verdict = positive && dist.back() < dist[at100] ? kReproduced : kNotReproduced;
    lab.claim(c);
  }
  lab.figure("fig8",
             "Li & Yuan Fig. 8: W* = 0, batch 300, eta = 1e-4: the inner product "
             "<-grad L(W), W* - W>, the potential g and |W - W*|_F, (a) the first 100 "
             "steps, (b) the whole run",
             R"PY(t = read("fig8_trace.csv")
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
for ax, upto, title in [(axes[0], 100, "(a) first 100 steps"), (axes[1], None, "(b) whole run")]:
    m = t["step"] <= (upto if upto is not None else t["step"].max())
    ax.plot(t["step"][m], t["inner"][m], color="C0", label="inner product")
    ax.plot(t["step"][m], t["g"][m], color="C1", label="potential g")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel("SGD step")
    ax.set_ylabel("inner product, g")
    ax.set_title(title)
    ax2 = ax.twinx()
    ax2.plot(t["step"][m], t["dist_fro"][m], color="C2", label="|W - W*|_F")
    ax2.set_ylabel("|W - W*|_F", color="C2")
    ax2.grid(False)
    lines = ax.get_lines()[:2] + ax2.get_lines()
    ax.legend(lines, [l.get_label() for l in lines], fontsize=8, loc="center right")
)PY");
  lab.note(
      "MODEL.md §3.1: the paper's norm pair (|W|_2 = 0.15, |W|_F = 5) is met with a "
      "prescribed spectrum and Haar-random singular vectors; \"initially the gradient is "
      "pointing to the wrong direction\" depends on a construction the paper does not give. "
      "relusim reports what this W does.");
}

void identity_zero_init(Lab& lab) {
  std::ostringstream toml;
  toml << R"(# PReLU report §5.3: zero (and small) initialisation with and without the identity.
# The report's teacher (|W*|_2 = 0.1, |W*|_F = 1 at d = 10) does not exist; |W*|_F = 0.3 here.
model = "C"
d = 10
mode = "online"
B = 100
eta = 0.05
teacher = "spectrum"
teacher_spectral = 0.1
teacher_frobenius = 0.3
init_spectral = 0.01
slope = 0.25
tol = 0.05
diagnostics_every = 10
steps = 5000
)"
       << "trials = " << lab.pick(100, 12) << R"(

[grid]
init = ["zero", "gaussian"]
identity = [true, false]
activation = ["relu", "prelu"]
)";
  const Lab::Sweep s = lab.sweep("zero_init_sweep", toml.str());
  auto get = [&](MatrixKind init, bool id, bool prelu) -> const CellResult& {
    return repro::find_cell(s, [&](const CellConfig& c) {
      return c.init_matrix_kind == init && c.identity == id && c.prelu == prelu;
    });
  };
  // Trajectory 0 of every cell: the trace columns only (d = 10 prints W after them).
  std::ostringstream traces;
  traces << "init,identity,activation,step,loss,dist_spec\n";
  for (const CellConfig& c : s.cells) {
    const repro::NumericTable t = repro::parse_numeric_csv(lab.trace(c, 0, 25));
    const auto step = t.values("step"), loss = t.values("loss"), d2 = t.values("dist_spec");
    for (std::size_t j = 0; j < step.size(); ++j)
      traces << (c.init_matrix_kind == MatrixKind::zero ? "zero" : "small") << ','
             << (c.identity ? 1 : 0) << ',' << (c.prelu ? "prelu" : "relu") << ',' << step[j] << ','
             << loss[j] << ',' << d2[j] << '\n';
  }
  lab.write("zero_init_traces.csv", traces.str());
  const CellSummary& zr = get(MatrixKind::zero, true, false).summary;
  const CellSummary& zp = get(MatrixKind::zero, true, true).summary;
  const CellSummary& nr = get(MatrixKind::zero, false, false).summary;
  const CellSummary& np = get(MatrixKind::zero, false, true).summary;
  const CellSummary& sr = get(MatrixKind::gaussian, true, false).summary;
  const CellSummary& sp = get(MatrixKind::gaussian, true, true).summary;
  {
    Claim c;
    c.id = "identity-rescues-zero";
    c.paper =
        "§5.3: \"with identity mapping, the zero initialization will still work\" (PReLU "
        "with identity from zero: error rate 0.0165)";
    c.measured =
        "rate from W_0 = 0 with the identity: relu " + rate_text(zr) + ", prelu " + rate_text(zp);
    c.value = std::min(zr.rate, zp.rate);
    c.verdict = zr.ci.hi >= 0.9 && zp.ci.hi >= 0.9 ? kReproduced : kNotReproduced;
    lab.claim(c);
  }
  {
    Claim c;
    c.id = "no-identity-zero-fails";
    c.paper =
        "§5.3: \"For PReLU without identity mapping, zero initialization, we get an "
        "average error rate of 0.8865\" (it fails)";
    c.measured = "rate from W_0 = 0 without the identity: prelu " + rate_text(np) + ", relu " +
                 rate_text(nr) +
                 " (relu: " + std::to_string(nr.counts[static_cast<std::size_t>(Outcome::dead)]) +
                 " of " + std::to_string(nr.trials) + " dead at step 0: zero gradient)";
    c.value = np.rate;
    c.verdict = np.ci.hi < 0.5 ? kReproduced : kNotReproduced;
    if (c.verdict != std::string(kReproduced))
      c.reason =
          "prelu's slope keeps the network moving from zero, and here it reaches the "
          "teacher";
    lab.claim(c);
  }
  {
    Claim c;
    c.id = "zero-like-random";
    c.paper =
        "§5.3: with the identity, zero initialization has \"almost the same performance as "
        "random initialization\"";
    c.measured = "with the identity, small random start (|W_0|_2 = 0.01): relu " + rate_text(sr) +
                 ", prelu " + rate_text(sp) + "; from zero as above";
    const bool overlap = zr.ci.lo <= sr.ci.hi && sr.ci.lo <= zr.ci.hi && zp.ci.lo <= sp.ci.hi &&
                         sp.ci.lo <= zp.ci.hi;
    c.verdict = overlap ? kReproduced : kNotReproduced;
    lab.claim(c);
  }
  lab.figure("zero_init",
             "PReLU report §5.3: population loss of trajectory 0 from W_0 = 0 "
             "(solid) and a small random start (dashed), with the identity (left) "
             "and without (right), relu and prelu",
             R"PY(t = read("zero_init_traces.csv")
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
for ax, ident, title in [(axes[0], 1, "with identity (ResLink)"), (axes[1], 0, "without identity")]:
    for i, act in enumerate(["relu", "prelu"]):
        for init, style in [("zero", "-"), ("small", "--")]:
            m = (t["identity"] == ident) & (t["activation"] == act) & (t["init"] == init)
            ax.semilogy(t["step"][m], np.maximum(t["loss"][m], 1e-16), style, color="C%d" % i,
                        label="%s, %s start" % (act, init))
    ax.set_title(title)
    ax.set_xlabel("SGD step")
axes[0].set_ylabel("population loss")
axes[0].legend(fontsize=8)
)PY");
}

void prelu_fig4(Lab& lab) {
  const int runs = 5;
  std::ostringstream base;
  base << R"(# PReLU report §5.4 / Fig. 4: d = 10, 5000 samples, learning rate 0.1, 10 epochs.
model = "C"
d = 10
mode = "fixed"
N = 5000
B = 50
eta = 0.1
activation = "prelu"
slope = 0.25
init = "gaussian"
init_spectral = 0.1
teacher = "spectrum"
tol = 0.05
diagnostics_every = 10
)"
       << "steps = " << lab.pick(1000, 400) << "\ntrials = " << lab.pick(40, 10) << '\n';
  // With the bound: the report's |W*|_2 = 0.1 (|W*|_F = 1 is infeasible, 0.3 here); without:
  // |W*|_2 = 3.
  const std::string bound = "teacher_spectral = 0.1\nteacher_frobenius = 0.3\n";
  const std::string nobound = "teacher_spectral = 3\nteacher_frobenius = 6\n";
  const Lab::Sweep b =
      lab.sweep("fig4_bound_sweep", base.str() + bound + "\n[grid]\nidentity = [true, false]\n");
  const Lab::Sweep nb = lab.sweep("fig4_nobound_sweep",
                                  base.str() + nobound + "\n[grid]\nidentity = [true, false]\n");
  struct Setting {
    const char* name;
    const Lab::Sweep* s;
    bool identity;
  };
  const Setting settings[] = {{"identity_bound", &b, true},
                              {"noidentity_bound", &b, false},
                              {"identity_nobound", &nb, true},
                              {"noidentity_nobound", &nb, false}};
  std::ostringstream rates;
  rates << "setting,rate,lo,hi,mean_final_loss,mean_dist_spec\n";
  std::vector<CellSummary> sum;
  for (const Setting& st : settings) {
    const std::size_t at = st.s->cells[0].identity == st.identity ? 0 : 1;
    const CellSummary& r = st.s->results[at].summary;
    sum.push_back(r);
    rates << st.name << ',' << fmt(r.rate, 4) << ',' << fmt(r.ci.lo, 4) << ',' << fmt(r.ci.hi, 4)
          << ',' << sci(r.value("mean_final_loss")) << ',' << sci(r.value("mean_dist_spec"))
          << '\n';
    const CellConfig& cell = st.s->cells[at];
    // Only the trace columns go into the file (W follows them at d = 10).
    std::ostringstream all;
    for (int k = 0; k < runs; ++k) {
      const repro::NumericTable t =
          repro::parse_numeric_csv(lab.trace(cell, static_cast<std::uint32_t>(k), 10));
      if (k == 0) all << "run,step,loss,dist_spec\n";
      const auto step = t.values("step"), loss = t.values("loss"), d2 = t.values("dist_spec");
      for (std::size_t j = 0; j < step.size(); ++j)
        all << k << ',' << step[j] << ',' << loss[j] << ',' << d2[j] << '\n';
    }
    lab.write(std::string("fig4_") + st.name + ".csv", all.str());
  }
  lab.write("fig4_rates.csv", rates.str());
  {
    Claim c = repro::with_rate({}, sum[0]);
    c.id = "converges-with-both";
    c.paper =
        "§5.4: with the identity and |W*|_2 bounded, \"SGD can converge to global minima "
        "with zero error rate\"";
    c.measured =
        "rate " + rate_text(sum[0]) + ", mean final loss " + sci(sum[0].value("mean_final_loss"));
    c.verdict = sum[0].ci.hi >= 0.9 ? kReproduced : kNotReproduced;
    lab.claim(c);
  }
  {
    Claim c = repro::with_rate({}, sum[1]);
    c.id = "identity-crucial";
    c.paper = "§5.4 / Fig. 4(b), (e): \"the identity mapping [is] crucial to SGD's convergence\"";
    c.measured = "without the identity (bounded teacher): rate " + rate_text(sum[1]) +
                 ", mean |W - W*|_2 " + sci(sum[1].value("mean_dist_spec"));
    c.verdict = sum[1].ci.hi < sum[0].ci.lo ? kReproduced : kNotReproduced;
    if (c.verdict != std::string(kReproduced))
      c.reason = "without the identity the rate is not lower";
    lab.claim(c);
  }
  {
    Claim c = repro::with_rate({}, sum[2]);
    c.id = "bound-crucial";
    c.paper = "§5.4 / Fig. 4(c): \"the bound of |W*|_2 ... [is] crucial to SGD's convergence\"";
    c.measured = "with the identity, |W*|_2 = 3: rate " + rate_text(sum[2]) + ", mean |W - W*|_2 " +
                 sci(sum[2].value("mean_dist_spec"));
    c.verdict = sum[2].ci.hi < sum[0].ci.lo ? kReproduced : kNotReproduced;
    if (c.verdict != std::string(kReproduced))
      c.reason = "an unbounded teacher is learnt as well within this budget";
    lab.claim(c);
  }
  lab.figure("fig4",
             "PReLU report Fig. 4: population loss (left) and |W - W*|_2 (right) of 5 "
             "runs each, prelu, d = 10, 5000 samples, with and without the identity, "
             "with |W*|_2 = 0.1 (bound) and 3 (no bound)",
             R"PY(fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
names = [("identity_bound", "identity, |W*|_2 = 0.1"),
         ("noidentity_bound", "no identity, |W*|_2 = 0.1"),
         ("identity_nobound", "identity, |W*|_2 = 3"),
         ("noidentity_nobound", "no identity, |W*|_2 = 3")]
for i, (name, label) in enumerate(names):
    t = read("fig4_%s.csv" % name)
    for k in sorted(set(t["run"].astype(int))):
        m = t["run"] == k
        kw = dict(color="C%d" % i, linewidth=1, alpha=0.7, label=label if k == 0 else None)
        ax1.semilogy(t["step"][m], np.maximum(t["loss"][m], 1e-16), **kw)
        ax2.semilogy(t["step"][m], t["dist_spec"][m], **kw)
ax1.set_xlabel("SGD step (100 steps = one epoch)")
ax1.set_ylabel("population loss")
ax2.set_xlabel("SGD step (100 steps = one epoch)")
ax2.set_ylabel("|W - W*|_2")
ax1.legend(fontsize=8)
)PY");
}

}  // namespace

void add_identity_experiments(std::vector<Experiment>& out) {
  out.push_back(
      {"liyuan-fig7", "Li & Yuan Fig. 7: ResLink against vanilla", "Li & Yuan §5.2, Figure 7",
       "d = 100, batch 200, eta 1e-3: loss and |W - W*|_2 of 5 runs each", 7, 130, liyuan_fig7});
  out.push_back({"liyuan-fig8", "Li & Yuan Fig. 8: the two phases of SGD from W* = 0",
                 "Li & Yuan §5.3, Figure 8",
                 "d = 1500, batch 300, eta 1e-4: inner product, g and |W - W*|_F", 4, 250,
                 liyuan_fig8});
  out.push_back({"prelu-fig4", "PReLU report Fig. 4: identity and a bounded teacher",
                 "PReLU report §5.4, Figure 4",
                 "prelu with and without identity, bounded and unbounded teacher", 3, 10,
                 prelu_fig4});
  out.push_back({"identity-zero-init", "PReLU report §5.3: zero initialisation and the identity",
                 "PReLU report §5.3 (Figure 3(c))",
                 "relu and prelu, with and without identity, from zero and small starts", 6, 45,
                 identity_zero_init});
}

}  // namespace relusim
