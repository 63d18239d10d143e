// Runs small jobs through relusim's job layer from C++ (relusim/app/job.hpp, the API the
// command line calls): Tian's Thm 3.3 cell (one ReLU, ball init, lambda = 0) in the three data
// modes and Tian's Thm 4.1 symmetric start (Model B), on the CPU backend, and prints each cell's
// rate next to the theory. With an argument DIR, the first job also writes DIR/summary.csv and
// summary.json as `relusim sweep --out DIR` does. Exits 1 if a bound is violated.
#include <iostream>
#include <string>
#include <vector>

#include "relusim/app/job.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/b/theory.hpp"

int main(int argc, char** argv) {
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
  JobOptions options;
  options.backend = BackendKind::cpu;
  options.out_dir = argc > 1 ? argv[1] : "";
  options.force = true;
  JobSource source;
  source.swept = {"mode"};
  const JobOutcome a = run_job(cells, source, options);
  print_table(std::cout, a.plan.cells, a.results, a.table_keys);
  int violated = 0;
  for (const CellResult& r : a.results)
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
  options.out_dir.clear();
  const JobOutcome r = run_job({b}, cell_job_source(b), options);
  const CellSummary& s = r.results.at(0).summary;
  std::cout << "Model B, K = 5, symmetric start: mean x = " << s.value("mean_x")
            << ", x*(5) = " << tian_saddle_x(5) << ", saddle fraction " << s.value("frac_saddle")
            << '\n';
  return violated == 0 && s.value("frac_saddle") == 1.0 ? 0 : 1;
}
