// `relusim theory` for Model B (ModelInfo::theory): its closed forms, every number in its
// shortest round-trip form.
#include "relusim/models/b/theory.hpp"

#include <cmath>
#include <ostream>
#include <utility>

#include "relusim/io/param_parsing.hpp"    // report_number
#include "relusim/models/field_types.hpp"  // kFieldCoordinateLimit
#include "relusim/models/model_info.hpp"

namespace relusim {

void print_model_b_theory(const TheoryQuery& q, std::ostream& os) {
  const std::int64_t k = q.k;
  const bool have_xy = q.have_xy;
  const double x = q.x, y = q.y;
  if (k < 1 || k > 128) throw ConfigError("K", "must lie in [1, 128]");
  for (const auto& [key, v] : {std::pair<const char*, double>{"x", x}, {"y", y}})
    if (have_xy && !(std::fabs(v) <= kFieldCoordinateLimit))  // NaN too
      throw ConfigError(key, "must be finite, within +-1e100");
  const int K = static_cast<int>(k);
  const auto v = [](double value) { return report_number(value); };
  os << "K                          " << K << "\nx*(K) (Tian Thm 4.1)       " << v(tian_saddle_x(K))
     << "   (sqrt(K-1) - arccos(1/sqrt(K)) + pi) / (pi K): symmetric starts x = y end at "
        "(x*, x*)\n";
  if (have_xy) {
    const SymmetricField f = symmetric_field(K, x, y);
    const SymmetricField g = projected_symmetric_field(K, x, y);
    os << "(x, y)                     (" << v(x) << ", " << v(y) << ")\n"
       << "(dx, dy) closed form       (" << v(f.dx) << ", " << v(f.dy) << ")\n"
       << "(dx, dy) K-unit projection (" << v(g.dx) << ", " << v(g.dy) << ")\n"
       << "population loss            " << v(symmetric_loss(K, x, y))
       << "   1/2 E[(g(x; W*) - g(x; W))^2] of the symmetric W, W* = I\n";
  }
}

}  // namespace relusim
