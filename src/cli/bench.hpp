// `relusim bench`: fixed workloads end to end on a backend, with throughput, GFLOP/s and the
// fraction of this machine's FMA peak, measured by the command itself (docs/benchmarks.md).
#pragma once

#include <string>

#include "relusim/engine/backend.hpp"

namespace relusim {

struct BenchOptions {
  BackendKind backend = BackendKind::automatic;
  int threads = 0;
  bool quick = false;       ///< smaller workloads (CI: every workload runs once, briefly)
  std::string only;         ///< comma-separated workload names; empty: all
  std::string out_dir;      ///< also write bench.csv there (empty: no file)
  std::string kong_file;    ///< the Kong grid's sweep file
  bool kong_given = false;  ///< --kong was given: a file that is no sweep file is bad input
};

int run_bench(const BenchOptions& options);

}  // namespace relusim
