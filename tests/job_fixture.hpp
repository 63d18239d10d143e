// A job-layer test's surroundings (test_job.cpp, toy/test_linear_toy.cpp): a fresh directory per
// test with a sweep file in it, JobOptions for the CPU backend that cut each cell into several
// batches (a stop request falls between them), and the job's messages kept in log_.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "relusim/app/job.hpp"

namespace relusim::testing {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class JobFixture : public ::testing::Test {
 protected:
  /// `sweep_text` is written as sweep.toml; `threads` and `batch` go into every options().
  JobFixture(std::string sweep_text, int threads, std::uint32_t batch)
      : text_(std::move(sweep_text)), threads_(threads), batch_(batch) {}

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("relusim_test_job_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    sweep_ = (dir_ / "sweep.toml").string();
    std::ofstream(sweep_) << text_;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  /// The CPU backend, its output in dir_/out ("": no output directory).
  JobOptions options(const std::string& out) const {
    JobOptions o;
    o.backend = BackendKind::cpu;
    o.threads = threads_;
    o.batch_trajectories = batch_;
    o.out_dir = out.empty() ? std::string() : (dir_ / out).string();
    o.log = &log_;
    o.command = "test";
    return o;
  }

  std::filesystem::path dir_;
  std::string sweep_;
  mutable std::ostringstream log_;

 private:
  std::string text_;
  int threads_;
  std::uint32_t batch_;
};

}  // namespace relusim::testing
