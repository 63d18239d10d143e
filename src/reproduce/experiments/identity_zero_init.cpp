// PReLU report §5.3: zero initialisation and the identity (`relusim reproduce identity-zero-init`;
// its figure scripts: src/reproduce/figures/identity-zero-init/).
#include <algorithm>
#include <cmath>
#include <sstream>
#include "../common.hpp"
#include "relusim/models/c/cell.hpp"
#include "relusim/reproduce/lab.hpp"
#include "experiments.hpp"

namespace relusim {
namespace {

using repro::rate_text;

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
      return c.of<ModelCCell>().init_matrix_kind == init && c.of<ModelCCell>().identity == id &&
             c.of<ModelCCell>().prelu == prelu;
    });
  };
  // Trajectory 0 of every cell: the trace columns only (d = 10 prints W after them).
  std::ostringstream traces;
  traces << "init,identity,activation,step,loss,dist_spec\n";
  for (const CellConfig& c : s.cells) {
    const repro::NumericTable t = repro::parse_numeric_csv(lab.trace(c, 0, 25));
    const auto step = t.values("step"), loss = t.values("loss"), d2 = t.values("dist_spec");
    for (std::size_t j = 0; j < step.size(); ++j)
      traces << (c.of<ModelCCell>().init_matrix_kind == MatrixKind::zero ? "zero" : "small") << ','
             << (c.of<ModelCCell>().identity ? 1 : 0) << ','
             << (c.of<ModelCCell>().prelu ? "prelu" : "relu") << ',' << step[j] << ',' << loss[j]
             << ',' << d2[j] << '\n';
  }
  lab.write("zero_init_traces.csv", traces.str());
  const CellSummary& zr = get(MatrixKind::zero, true, false).summary;
  const CellSummary& zp = get(MatrixKind::zero, true, true).summary;
  const CellSummary& nr = get(MatrixKind::zero, false, false).summary;
  const CellSummary& np = get(MatrixKind::zero, false, true).summary;
  const CellSummary& sr = get(MatrixKind::gaussian, true, false).summary;
  const CellSummary& sp = get(MatrixKind::gaussian, true, true).summary;
  lab.check(
      {.id = "identity-rescues-zero",
       .paper = "§5.3: \"with identity mapping, the zero initialization will still work\" (PReLU "
                "with identity from zero: error rate 0.0165)",
       .measured = "rate from W_0 = 0 with the identity: relu " + rate_text(zr) + ", prelu " +
                   rate_text(zp),
       .value = std::min(zr.rate, zp.rate)},
      zr.ci.hi >= 0.9 && zp.ci.hi >= 0.9);
  lab.check({.id = "no-identity-zero-fails",
             .paper = "§5.3: \"For PReLU without identity mapping, zero initialization, we get an "
                      "average error rate of 0.8865\" (it fails)",
             .measured = "rate from W_0 = 0 without the identity: prelu " + rate_text(np) +
                         ", relu " + rate_text(nr) + " (relu: " +
                         std::to_string(nr.counts[static_cast<std::size_t>(Outcome::dead)]) +
                         " of " + std::to_string(nr.trials) + " dead at step 0: zero gradient)",
             .value = np.rate},
            np.ci.hi < 0.5,
            "prelu's slope keeps the network moving from zero, and here it reaches the "
            "teacher");
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
    lab.check(c, overlap);
  }
  lab.figure("zero_init",
             "PReLU report §5.3: population loss of trajectory 0 from W_0 = 0 "
             "(solid) and a small random start (dashed), with the identity (left) "
             "and without (right), relu and prelu");
}

}  // namespace

Experiment identity_zero_init_experiment() {
  return {"identity-zero-init",
          "PReLU report §5.3: zero initialisation and the identity",
          "PReLU report §5.3 (Figure 3(c))",
          "relu and prelu, with and without identity, from zero and small starts",
          6,
          45,
          identity_zero_init};
}

}  // namespace relusim
