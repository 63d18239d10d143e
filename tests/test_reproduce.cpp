// The exact values behind `relusim reproduce` against independent computations, and the Lab's
// report. The experiments themselves run in tests/reproduce_test.sh.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/engine/backend.hpp"
#include "relusim/models/a/theory.hpp"
#include "relusim/models/b/theory.hpp"
#include "relusim/reproduce/exact.hpp"
#include "relusim/reproduce/kong.hpp"
#include "relusim/reproduce/lab.hpp"

namespace relusim {
namespace {

constexpr double kPi = 3.14159265358979323846;

/// P(start in Omega) by slicing along w*: the lens {|w| <= r, |w - w*| < 1} is a stack of
/// (d-1)-balls of radius^2 min(r^2 - x^2, 1 - (x - 1)^2); midpoint rule on a fine grid after the
/// substitution x = lo + (hi - lo) (1 - cos t) / 2, which tames the square-root ends.
double lens_fraction_by_slices(int d, double r) {
  const double lo = 0.0, hi = std::min(r, 2.0);
  const int n = 200000;
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    const double t = kPi * (i + 0.5) / n;
    const double x = lo + (hi - lo) * (1.0 - std::cos(t)) / 2.0;
    const double dx = (hi - lo) * std::sin(t) / 2.0 * kPi / n;
    const double rho2 = std::min(r * r - x * x, 1.0 - (x - 1.0) * (x - 1.0));
    if (rho2 > 0) sum += std::pow(rho2, (d - 1) / 2.0) * dx;
  }
  // V_(d-1) / V_d = Gamma(d/2 + 1) / (sqrt(pi) Gamma((d + 1)/2)); divided by r^d.
  const double ratio =
      std::exp(std::lgamma(d / 2.0 + 1.0) - std::lgamma((d + 1) / 2.0)) / std::sqrt(kPi);
  return sum * ratio / std::pow(r, d);
}

TEST(ReproduceKong, TheoremFiveClaimNamesCensoredCells) {
  // A censored cell neither confirms nor breaks the bound: the claim counts and names it, and
  // says `partly` while no cell is violated.
  auto cells = [](std::initializer_list<const char*> verdicts) {
    std::vector<CellResult> out;
    for (const char* v : verdicts) {
      CellResult r;
      r.summary.verdict = v;
      out.push_back(r);
    }
    return out;
  };
  const Claim all = kong_theorem5_claim(cells({"holds", "holds", "outside"}));
  EXPECT_EQ(all.verdict, kReproduced);
  EXPECT_EQ(all.measured.find("censored"), std::string::npos);
  const Claim some = kong_theorem5_claim(cells({"holds", "censored", "censored", "outside"}));
  EXPECT_EQ(some.verdict, kPartly);
  EXPECT_NE(some.measured.find("1 of 4 cells"), std::string::npos) << some.measured;
  EXPECT_NE(some.measured.find("2 more are censored"), std::string::npos) << some.measured;
  EXPECT_NE(some.reason.find("raise steps"), std::string::npos);
  const Claim broken = kong_theorem5_claim(cells({"holds", "violated", "censored"}));
  EXPECT_EQ(broken.verdict, kNotReproduced);
  EXPECT_EQ(broken.value, 1.0);
  const Claim none = kong_theorem5_claim(cells({"censored", "outside"}));
  EXPECT_EQ(none.verdict, kNotReproduced);
  EXPECT_NE(none.reason.find("every cell within the hypotheses is censored"), std::string::npos);
}

TEST(ReproduceExact, StartInOmegaAgainstSlices) {
  for (int d : {1, 2, 3, 5, 10, 20})
    for (double r : {0.05, 0.3, 0.8, 1.0, 1.3, 1.7, 1.99}) {
      const double exact = p_start_in_omega(d, r);
      const double slices = lens_fraction_by_slices(d, r);
      EXPECT_NEAR(exact, slices, 1e-6 * std::max(1.0, slices)) << "d " << d << " r " << r;
    }
}

TEST(ReproduceExact, StartInOmegaLimits) {
  // Small radius: the sphere |w - w*| = |w*| looks like a plane through the origin: 1/2 from
  // below, approached as 1/2 - c r.
  for (int d : {2, 20, 100}) {
    EXPECT_LT(p_start_in_omega(d, 1e-4), 0.5);
    EXPECT_GT(p_start_in_omega(d, 1e-4), 0.499);
  }
  // d = 1: the ball is [-r, r], Omega = (0, 2): P = 1/2 for r <= 2, 1/r beyond.
  EXPECT_NEAR(p_start_in_omega(1, 0.7), 0.5, 1e-12);
  EXPECT_NEAR(p_start_in_omega(1, 4.0), 0.25, 1e-12);
  // Omega inside the ball: the volume ratio.
  EXPECT_NEAR(p_start_in_omega(3, 2.5), 1.0 / std::pow(2.5, 3), 1e-12);
  EXPECT_NEAR(ball_cap_fraction(7, 1.0), 0.5, 1e-12);
  EXPECT_NEAR(ball_cap_fraction(7, 0.4) + ball_cap_fraction(7, 1.6), 1.0, 1e-12);
  // d = 3: the cap volume pi h^2 (3R - h)/3 over 4 pi R^3 / 3.
  EXPECT_NEAR(ball_cap_fraction(3, 0.5), 0.25 * 2.5 / 4.0, 1e-12);
}

TEST(ReproduceExact, SaddleIsTheRootOfTheProjectedField) {
  // x*(K) against the root, on the diagonal, of the field projected from the K-unit expected
  // update (the simulator's own code, not the closed form the formula came from).
  for (int K : {2, 3, 5, 10}) {
    double lo = 0.05, hi = 1.0;
    for (int it = 0; it < 100; ++it) {
      const double mid = 0.5 * (lo + hi);
      (projected_symmetric_field(K, mid, mid).dx > 0 ? lo : hi) = mid;
    }
    EXPECT_NEAR(0.5 * (lo + hi), tian_saddle_x(K), 1e-9) << "K " << K;
  }
}

TEST(ReproduceExact, ClosedFormErrorShrinksLikeOneOverRootN) {
  // Gaussian inputs: E[F] is the exact mean, so the RMS relative error over pairs falls by
  // sqrt(100) = 10 from n = 10^3 to 10^5 (within sampling noise of 16 pairs).
  auto rms = [](std::int64_t n) {
    double s = 0;
    for (std::uint32_t k = 0; k < 16; ++k) {
      const double e = closed_form_relative_error(6, 0.5 * kPi * (k + 0.5) / 16, n,
                                                  InputDistribution::gaussian, 9, k);
      s += e * e;
    }
    return std::sqrt(s / 16);
  };
  const double ratio = rms(1000) / rms(100000);
  EXPECT_GT(ratio, 6.0);
  EXPECT_LT(ratio, 16.0);
  EXPECT_NEAR(log_log_slope({10, 100, 1000}, {1, 0.1, 0.01}), -1.0, 1e-12);
}

TEST(ReproduceExact, EpsOfRadiusInvertsTheBallRadius) {
  for (int d : {2, 7, 30})
    EXPECT_NEAR(eps_of_radius(d, ball_radius(d, 0.37)), 0.37, 1e-14);
}

TEST(ReproduceLab, ReportAndVerdictsAreWritten) {
  const auto dir = std::filesystem::temp_directory_path() / "relusim_test_lab";
  std::filesystem::remove_all(dir);
  std::string note;
  std::unique_ptr<Backend> backend = make_backend(BackendKind::cpu, 1, note);
  ReproduceOptions o;
  o.quick = true;
  o.out_dir = dir.string();
  o.command = "test";
  o.draw = false;
  Experiment e{"demo", "a demo", "nowhere", "one claim", 0, 0, [](Lab& lab) {
                 const Lab::Sweep s = lab.sweep("s", "N = 10\nd = 2\ntrials = 64\nlambda = 0\n");
                 const double rate = s.results[0].summary.rate;
                 lab.check({.id = "rate", .paper = "p", .measured = "m", .value = rate}, rate > 0.5,
                           "low");
                 // A figure is a script of src/reproduce/figures/NAME/: the demo has none.
                 EXPECT_THROW(lab.figure("f", "caption"), std::logic_error);
                 Claim bad;
                 bad.id = "bad";
                 bad.verdict = "maybe";
                 EXPECT_THROW(lab.claim(bad), std::logic_error);
               }};
  const ExperimentReport r = run_experiment(e, o, *backend);
  ASSERT_EQ(r.claims.size(), 1u);
  std::ifstream in(dir / "verdicts.json");
  const nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j["claims"][0]["id"], "rate");
  EXPECT_DOUBLE_EQ(j["claims"][0]["value"].get<double>(), r.claims[0].value);
  EXPECT_FALSE(j["figures_drawn"].get<bool>());
  EXPECT_EQ(j["claims"][0]["verdict"], r.claims[0].value > 0.5 ? "reproduced" : "not reproduced");
  EXPECT_EQ(j["claims"][0]["reason"], r.claims[0].value > 0.5 ? "" : "low");
  for (const char* f : {"report.md", "s.toml", "s.csv"})
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  // No staging leftovers.
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(entry.path().extension().string().find("partial"), std::string::npos);
  std::ifstream md(dir / "report.md");
  std::stringstream text;
  text << md.rdbuf();
  EXPECT_NE(text.str().find("| `rate` | p | m |"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ReproduceLab, TheBinaryCarriesEveryFigureScriptAsItsSourceFile) {
  // src/reproduce/figures holds the scripts as .py files; the build embeds them byte for byte.
  const std::filesystem::path root =
      std::filesystem::path(RELUSIM_SOURCE_DIR) / "src" / "reproduce" / "figures";
  int scripts = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".py") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string rel = std::filesystem::relative(entry.path(), root).generic_string();
    EXPECT_EQ(figure_script(rel), text.str()) << rel;
    ++scripts;
  }
  EXPECT_GE(scripts, 14);  // one per figure of the 13 experiments, and relusim_plot.py
  EXPECT_THROW(figure_script("none/none.py"), std::logic_error);
}

TEST(ReproduceLab, UnknownExperimentNamesTheKnownOnes) {
  try {
    find_experiment("kong-table9");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("kong-table1"), std::string::npos);
  }
  std::set<std::string> names;
  for (const Experiment& x : experiments())
    EXPECT_TRUE(names.insert(x.name).second) << x.name;
  for (const char* n : {"kong-table1", "kong-fig1", "kong-fig2", "tian-fig2", "tian-fig3",
                        "tian-thm33", "tian-fig4", "tian-thm41", "tian-fig5", "liyuan-fig7",
                        "liyuan-fig8", "prelu-fig4", "identity-zero-init"})
    EXPECT_EQ(names.count(n), 1u) << n;
}

}  // namespace
}  // namespace relusim
