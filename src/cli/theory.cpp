// `relusim theory`: the closed forms. Model A: A_d, the papers' bounds and the radii for N, d,
// eps; model B: x*(K) of Tian Thm 4.1 and the reduced (x, y) field and loss. Every number is
// printed in its shortest round-trip form: the closed forms are checked against them.
#include <cmath>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "options.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/a/theory.hpp"
#include "relusim/models/b/theory.hpp"
#include "relusim/models/field.hpp"

namespace relusim::cli {
namespace {

int theory_b(std::int64_t k, bool have_xy, double x, double y) {
  if (k < 1 || k > 128) throw ConfigError("K", "must lie in [1, 128]");
  for (const auto& [key, v] : {std::pair<const char*, double>{"x", x}, {"y", y}})
    if (have_xy && !(std::fabs(v) <= kFieldCoordinateLimit))  // NaN too
      throw ConfigError(key, "must be finite, within +-1e100");
  const int K = static_cast<int>(k);
  const auto v = [](double value) { return report_number(value); };
  std::cout << "K                          " << K << "\nx*(K) (Tian Thm 4.1)       "
            << v(tian_saddle_x(K))
            << "   (sqrt(K-1) - arccos(1/sqrt(K)) + pi) / (pi K): symmetric starts x = y end at "
               "(x*, x*)\n";
  if (have_xy) {
    const SymmetricField f = symmetric_field(K, x, y);
    const SymmetricField g = projected_symmetric_field(K, x, y);
    std::cout << "(x, y)                     (" << v(x) << ", " << v(y) << ")\n"
              << "(dx, dy) closed form       (" << v(f.dx) << ", " << v(f.dy) << ")\n"
              << "(dx, dy) K-unit projection (" << v(g.dx) << ", " << v(g.dy) << ")\n"
              << "population loss            " << v(symmetric_loss(K, x, y))
              << "   1/2 E[(g(x; W*) - g(x; W))^2] of the symmetric W, W* = I\n";
  }
  return 0;
}

int theory_a(std::int64_t n, std::int64_t d, double eps) {
  if (n < 1) throw ConfigError("N", "must be >= 1");
  if (d < 1) throw ConfigError("d", "must be >= 1");
  if (!(eps > 0.0 && eps < 1.0)) throw ConfigError("eps", "must lie in (0, 1)");
  const int di = static_cast<int>(d);
  const auto v = [](double value) { return report_number(value); };
  std::cout << "N                          " << n << "\nd                          " << d
            << "\neps                        " << v(eps) << "\nA_d = P(rank D* <= d)      "
            << v(a_k(n, d)) << "\nlog A_d                    " << v(log_a_k(n, d))
            << "\nP(X^T D* X pos. definite)  " << v(1.0 - a_k(n, d - 1))
            << "   1 - A_(d-1); Kong Lemma 2 states 1 - A_d, a lower bound"
            << "\nTian Thm 3.3 bound         " << v(tian_bound(eps)) << "   (1-eps)/2"
            << "\nKong Thm 5 bound           " << v(kong_bound(eps, n, d)) << "   (1-eps)(1-A_d)/2"
            << "\nball radius / |w*|         " << v(ball_radius(di, eps))
            << "   eps sqrt(2 pi/(d+1))"
            << "\ntight radius / |w*|        " << v(tight_ball_radius(di, eps))
            << "   eps sqrt(pi) Gamma((d+1)/2)/Gamma(d/2+1)\n";
  return 0;
}

}  // namespace

Command add_theory(CLI::App& app, const Context&) {
  struct State {
    std::int64_t n = 10, d = 2, k = 2;
    double eps = 0.1, x = 0.0, y = 0.0;
    std::string model = "A";
  };
  auto s = std::make_shared<State>();
  CLI::App* theory = app.add_subcommand(
      "theory",
      "model A: A_d, the bounds and the radii for N, d, eps; model B: x*(K) of Tian Thm 4.1 and "
      "the reduced (x, y) field");
  theory->add_option("--model", s->model, "A or B")
      ->check(CLI::IsMember({"A", "B"}))
      ->capture_default_str();
  theory->add_option("--K", s->k, "model B: hidden units K")->capture_default_str();
  CLI::Option* x = theory->add_option("--x", s->x, "model B: x of a symmetric state");
  CLI::Option* y = theory->add_option("--y", s->y, "model B: y of a symmetric state");
  theory->add_option("--N", s->n, "number of samples N")->capture_default_str();
  theory->add_option("--d", s->d, "input dimension d")->capture_default_str();
  theory->add_option("--eps", s->eps, "epsilon in (0, 1)")->capture_default_str();
  return {theory, [s, x, y] {
            if (s->model == "B")
              return theory_b(s->k, x->count() > 0 || y->count() > 0, s->x, s->y);
            return theory_a(s->n, s->d, s->eps);
          }};
}

}  // namespace relusim::cli
