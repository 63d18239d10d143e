// Runs a small sweep through relusim's engine from C++: Tian's Thm 3.3 cell (one ReLU, ball
// init, lambda = 0) in the three data modes and Tian's Thm 4.1 symmetric start (Model B), on the
// CPU backend, and prints each cell's rate next to the theory. Exits 1 if a bound is violated.
#include <iostream>
#include <string>
#include <vector>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/driver.hpp"
#include "relusim/engine/plan.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/b/theory.hpp"

int main() {
  using namespace relusim;
  std::vector<CellConfig> cells;
  for (const char* mode : {"fixed", "online", "expected"}) {
    CellConfig c;
    set_parameter(c, "mode", std::string(mode));
    set_parameter(c, "N", std::int64_t{20});
    set_parameter(c, "B", std::int64_t{5});
    set_parameter(c, "trials", std::int64_t{200});
    cells.push_back(c);
  }
  const std::unique_ptr<Backend> backend = make_cpu_backend(0);
  const std::vector<CellResult> a = run_plan(make_plan(cells, 4096), *backend, DriverOptions{});
  print_table(std::cout, cells, a, {"mode"});
  int violated = 0;
  for (const CellResult& r : a)
    violated += r.summary.verdict == "violated" ? 1 : 0;

  CellConfig b;
  set_parameter(b, "model", std::string("B"));
  set_parameter(b, "K", std::int64_t{5});
  set_parameter(b, "d", std::int64_t{5});
  set_parameter(b, "mode", std::string("expected"));
  set_parameter(b, "init", std::string("symmetric"));
  set_parameter(b, "init_x", 0.3);
  set_parameter(b, "init_y", 0.3);
  set_parameter(b, "eta", 0.1);
  set_parameter(b, "trials", std::int64_t{1});
  const std::vector<CellResult> r = run_plan(make_plan({b}, 4096), *backend, DriverOptions{});
  std::cout << "Model B, K = 5, symmetric start: mean x = " << r[0].summary.value("mean_x")
            << ", x*(5) = " << tian_saddle_x(5) << ", saddle fraction "
            << r[0].summary.value("frac_saddle") << '\n';
  return violated == 0 && r[0].summary.value("frac_saddle") == 1.0 ? 0 : 1;
}
