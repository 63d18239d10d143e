// Model B's closed forms for `relusim theory` and relusim.theory() (ModelInfo::theory).
#include <cmath>
#include <utility>
#include <vector>

#include "relusim/models/b/theory.hpp"
#include "relusim/models/field_types.hpp"  // kFieldCoordinateLimit
#include "relusim/models/model_info.hpp"

namespace relusim {

std::vector<TheoryEntry> model_b_theory(const TheoryQuery& q) {
  const std::int64_t k = q.k;
  const double x = q.x, y = q.y;
  if (k < 1 || k > 128) throw ConfigError("K", "must lie in [1, 128]");
  for (const auto& [key, v] : {std::pair<const char*, double>{"x", x}, {"y", y}})
    if (q.have_xy && !(std::fabs(v) <= kFieldCoordinateLimit))  // NaN too
      throw ConfigError(key, "must be finite, within +-1e100");
  const int K = static_cast<int>(k);
  std::vector<TheoryEntry> e = {
      {"K", "K", {static_cast<double>(K)}, true, ""},
      {"x_star",
       "x*(K) (Tian Thm 4.1)",
       {tian_saddle_x(K)},
       false,
       "(sqrt(K-1) - arccos(1/sqrt(K)) + pi) / (pi K): symmetric starts x = y end at (x*, x*)"}};
  if (q.have_xy) {
    const SymmetricField f = symmetric_field(K, x, y);
    const SymmetricField g = projected_symmetric_field(K, x, y);
    e.push_back({"xy", "(x, y)", {x, y}, false, ""});
    e.push_back({"field", "(dx, dy) closed form", {f.dx, f.dy}, false, ""});
    e.push_back({"field_projected", "(dx, dy) K-unit projection", {g.dx, g.dy}, false, ""});
    e.push_back({"population_loss",
                 "population loss",
                 {symmetric_loss(K, x, y)},
                 false,
                 "1/2 E[(g(x; W*) - g(x; W))^2] of the symmetric W, W* = I"});
  }
  return e;
}

}  // namespace relusim
