// Small helpers shared by the tests.
#pragma once

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/driver.hpp"
#include "relusim/engine/plan.hpp"

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

/// Every count of two tallies equal; the distance sums within `rel` (0: exactly equal).
inline void expect_same_tally(const CellTally& got, const CellTally& want, double rel) {
  EXPECT_EQ(got.trials, want.trials);
  for (int o = 0; o < kOutcomeCount; ++o)
    EXPECT_EQ(got.counts[o], want.counts[o]) << "outcome " << o;
  for (int f = 0; f < kRecordFlags; ++f)
    EXPECT_EQ(got.flag_counts[f], want.flag_counts[f]) << "flag " << f;
  EXPECT_EQ(got.steps_to_converge_sum, want.steps_to_converge_sum);
  for (int s = 0; s < kRecordSlots; ++s) {
    EXPECT_EQ(got.slot_counts[s], want.slot_counts[s]) << "slot " << s;
    if (rel == 0.0) {  // exact sums: the same bits
      EXPECT_TRUE(got.slot_sums[s] == want.slot_sums[s]) << "slot " << s;
    } else {
      const double w = want.slot_sums[s].value();
      EXPECT_NEAR(got.slot_sums[s].value(), w, rel * std::fabs(w)) << "slot " << s;
    }
  }
}

/// Runs the CLI (a shell command line: redirections and pipes allowed after the arguments),
/// returns its exit code; stderr goes to `err`, stdout to `out` when given (else /dev/null).
inline int run_cli(const std::string& args, std::string& err, std::string* out = nullptr) {
  static int calls = 0;  // ctest runs tests in parallel processes: one file per process and call
  const auto base =
      std::filesystem::temp_directory_path() /
      ("relusim_test_cli_" + std::to_string(::getpid()) + "_" + std::to_string(calls++));
  const std::string err_file = base.string() + ".err", out_file = base.string() + ".out";
  const std::string cmd = std::string(RELUSIM_CLI_PATH) + " " + args + " > " +
                          (out != nullptr ? out_file : std::string("/dev/null")) + " 2> " +
                          err_file;
  const int status = std::system(cmd.c_str());
  auto slurp = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  err = slurp(err_file);
  if (out != nullptr) *out = slurp(out_file);
  std::filesystem::remove(err_file);
  std::filesystem::remove(out_file);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
