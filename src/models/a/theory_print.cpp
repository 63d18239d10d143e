// Model A's closed forms for `relusim theory` and relusim.theory() (ModelInfo::theory).
#include "relusim/models/a/theory.hpp"

#include <vector>

#include "relusim/models/model_info.hpp"

namespace relusim {

std::vector<TheoryEntry> model_a_theory(const TheoryQuery& q) {
  const std::int64_t n = q.n, d = q.d;
  const double eps = q.eps;
  if (n < 1) throw ConfigError("N", "must be >= 1");
  if (d < 1) throw ConfigError("d", "must be >= 1");
  if (!(eps > 0.0 && eps < 1.0)) throw ConfigError("eps", "must lie in (0, 1)");
  const int di = static_cast<int>(d);
  return {
      {"N", "N", {static_cast<double>(n)}, true, ""},
      {"d", "d", {static_cast<double>(d)}, true, ""},
      {"eps", "eps", {eps}, false, ""},
      {"A_d", "A_d = P(rank D* <= d)", {a_k(n, d)}, false, ""},
      {"log_A_d", "log A_d", {log_a_k(n, d)}, false, ""},
      {"p_positive_definite",
       "P(X^T D* X pos. definite)",
       {1.0 - a_k(n, d - 1)},
       false,
       "1 - A_(d-1); Kong Lemma 2 states 1 - A_d, a lower bound"},
      {"tian_bound", "Tian Thm 3.3 bound", {tian_bound(eps)}, false, "(1-eps)/2"},
      {"kong_bound", "Kong Thm 5 bound", {kong_bound(eps, n, d)}, false, "(1-eps)(1-A_d)/2"},
      {"p_in_omega",
       "P(start in Omega)",
       {p_start_in_omega(di, ball_radius(di, eps))},
       false,
       "exact, w uniform in the ball below; Thm 3.3's proof: >= (1-eps)/2"},
      {"p_in_omega_tight",
       "P(in Omega), tight ball",
       {p_start_in_omega(di, tight_ball_radius(di, eps))},
       false,
       "exact, w uniform in the tight ball below"},
      {"ball_radius", "ball radius / |w*|", {ball_radius(di, eps)}, false, "eps sqrt(2 pi/(d+1))"},
      {"tight_radius",
       "tight radius / |w*|",
       {tight_ball_radius(di, eps)},
       false,
       "eps sqrt(pi) Gamma((d+1)/2)/Gamma(d/2+1)"},
  };
}

}  // namespace relusim
