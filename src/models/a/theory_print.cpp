// `relusim theory` for Model A (ModelInfo::theory): its closed forms, every number in its
// shortest round-trip form.
#include "relusim/models/a/theory.hpp"

#include <ostream>
#include <utility>

#include "relusim/io/param_parsing.hpp"  // report_number
#include "relusim/models/model_info.hpp"

namespace relusim {

void print_model_a_theory(const TheoryQuery& q, std::ostream& os) {
  const std::int64_t n = q.n, d = q.d;
  const double eps = q.eps;
  if (n < 1) throw ConfigError("N", "must be >= 1");
  if (d < 1) throw ConfigError("d", "must be >= 1");
  if (!(eps > 0.0 && eps < 1.0)) throw ConfigError("eps", "must lie in (0, 1)");
  const int di = static_cast<int>(d);
  const auto v = [](double value) { return report_number(value); };
  os << "N                          " << n << "\nd                          " << d
     << "\neps                        " << v(eps) << "\nA_d = P(rank D* <= d)      " << v(a_k(n, d))
     << "\nlog A_d                    " << v(log_a_k(n, d)) << "\nP(X^T D* X pos. definite)  "
     << v(1.0 - a_k(n, d - 1)) << "   1 - A_(d-1); Kong Lemma 2 states 1 - A_d, a lower bound"
     << "\nTian Thm 3.3 bound         " << v(tian_bound(eps)) << "   (1-eps)/2"
     << "\nKong Thm 5 bound           " << v(kong_bound(eps, n, d)) << "   (1-eps)(1-A_d)/2"
     << "\nball radius / |w*|         " << v(ball_radius(di, eps)) << "   eps sqrt(2 pi/(d+1))"
     << "\ntight radius / |w*|        " << v(tight_ball_radius(di, eps))
     << "   eps sqrt(pi) Gamma((d+1)/2)/Gamma(d/2+1)\n";
}

}  // namespace relusim
