// Small helpers shared by the tests.
#pragma once

#include <cmath>
#include <vector>

#include "relusim/backend.hpp"
#include "relusim/driver.hpp"
#include "relusim/plan.hpp"

namespace relusim::testing {

/// Runs cells on the CPU backend and returns their results.
inline std::vector<CellResult> run_cells(const std::vector<CellConfig>& cells, int threads = 0,
                                         std::uint32_t batch = 4096, bool keep = false) {
  auto backend = make_cpu_backend(threads);
  DriverOptions o;
  o.keep_records = keep;
  o.keep_weights = keep;
  return run_plan(make_plan(cells, batch), *backend, o);
}

inline double norm(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v)
    s += x * x;
  return std::sqrt(s);
}

inline double distance(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    s += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(s);
}

}  // namespace relusim::testing
