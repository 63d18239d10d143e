// The job layer (include/relusim/app/job.hpp) called as a library, as examples/embed and the
// Python module call it: the same summary as the command line, a stop request and a resume
// that give the uninterrupted run's summary, shards merged into the whole, and failures the
// ranks agree on thrown as JobFailed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "job_fixture.hpp"
#include "relusim/app/job.hpp"
#include "relusim/io/report.hpp"
#include "test_helpers.hpp"

namespace relusim {
namespace {

namespace fs = std::filesystem;

using testing::slurp;

/// Model B in online mode, two cells of 90 trajectories in batches of 16.
class Job : public testing::JobFixture {
 protected:
  Job()
      : JobFixture(
            "model = \"B\"\nK = 2\nd = 3\nmode = \"online\"\nsteps = 1500\ntrials = 90\n"
            "seed = 4\n[grid]\neta = [0.05, 0.1]\n",
            1, 16) {}
};

TEST_F(Job, LibraryAndCommandLineWriteTheSameSummary) {
  SweepJob job = load_sweep_job(sweep_);
  const JobOutcome o = run_job(job.cells, job.source, options("lib"));
  ASSERT_EQ(o.status, JobStatus::complete);
  EXPECT_EQ(o.exit_code, 0);
  ASSERT_EQ(o.results.size(), 2u);
  EXPECT_EQ(o.table_keys.front(), "eta");
  const std::string lib = slurp(dir_ / "lib" / "summary.csv");
  EXPECT_EQ(summary_csv(o.plan.cells, o.results), lib);
  std::string err;
  ASSERT_EQ(
      testing::run_cli(
          "sweep " + sweep_ + " --backend cpu --threads 2 --out " + (dir_ / "cli").string(), err),
      0)
      << err;
  EXPECT_EQ(slurp(dir_ / "cli" / "summary.csv"), lib);
  EXPECT_FALSE(fs::exists(dir_ / "lib" / "journal.rsj"));  // removed once the summary is written
}

TEST_F(Job, AStopRequestThenResumeGivesTheUninterruptedSummary) {
  SweepJob job = load_sweep_job(sweep_);
  const JobOutcome whole = run_job(job.cells, job.source, options(""));
  ASSERT_EQ(whole.status, JobStatus::complete);
  const std::string reference = summary_csv(whole.plan.cells, whole.results);

  JobOptions first = options("out");
  int asked = 0;
  first.stop_requested = [&asked] { return ++asked > 3; };
  const JobOutcome stopped = run_job(job.cells, job.source, first);
  EXPECT_EQ(stopped.status, JobStatus::stopped);
  EXPECT_GT(stopped.exit_code, 128);
  EXPECT_GT(stopped.trajectories_done, 0);
  EXPECT_LT(stopped.trajectories_done, stopped.trajectories_total);
  EXPECT_TRUE(fs::exists(dir_ / "out" / "journal.rsj"));
  EXPECT_FALSE(fs::exists(dir_ / "out" / "summary.csv"));
  EXPECT_NE(log_.str().find("--resume"), std::string::npos) << log_.str();

  JobOptions again = options("out");
  again.resume = true;
  again.stop_requested = [] { return false; };
  const JobOutcome resumed = run_job(job.cells, job.source, again);
  ASSERT_EQ(resumed.status, JobStatus::complete);
  EXPECT_EQ(slurp(dir_ / "out" / "summary.csv"), reference);
  EXPECT_NE(log_.str().find("resuming"), std::string::npos);
}

TEST_F(Job, ShardsMergeIntoTheWholeRun) {
  SweepJob job = load_sweep_job(sweep_);
  const JobOutcome whole = run_job(job.cells, job.source, options(""));
  std::vector<std::string> dirs;
  for (int k = 1; k <= 3; ++k) {
    JobOptions o = options("shard" + std::to_string(k));
    o.shard = parse_shard(std::to_string(k) + "/3");
    const JobOutcome part = run_job(job.cells, job.source, o);
    EXPECT_EQ(part.status, JobStatus::shard_complete);
    EXPECT_TRUE(part.results.empty());
    dirs.push_back(o.out_dir);
  }
  const JobOutcome merged = merge_shards(dirs, (dir_ / "merged").string(), false, "test", &log_);
  ASSERT_EQ(merged.status, JobStatus::complete);
  EXPECT_EQ(slurp(dir_ / "merged" / "summary.csv"), summary_csv(whole.plan.cells, whole.results));
  dirs.pop_back();
  EXPECT_THROW(merge_shards(dirs, (dir_ / "m2").string(), false, "test", &log_), ConfigError);
}

TEST_F(Job, RefusalsAreThrownNotPrinted) {
  SweepJob job = load_sweep_job(sweep_);
  JobOptions first = options("out");
  first.stop_requested = [] { return true; };
  ASSERT_EQ(run_job(job.cells, job.source, first).status, JobStatus::stopped);
  // A journal is there: without resume or force the job is refused, by every rank alike.
  try {
    run_job(job.cells, job.source, options("out"));
    ADD_FAILURE() << "no JobFailed";
  } catch (const JobFailed& e) {
    EXPECT_EQ(e.code(), 2);
    EXPECT_NE(std::string(e.what()).find("--resume"), std::string::npos) << e.what();
  }
  JobOptions bad = options("x");
  bad.threads = 5000;
  EXPECT_THROW(run_job(job.cells, job.source, bad), ConfigError);
  bad = options("");
  bad.shard = Part{1, 2};
  EXPECT_THROW(run_job(job.cells, job.source, bad), ConfigError);  // a shard needs out_dir
  EXPECT_THROW(parse_shard("3/2"), ConfigError);
  EXPECT_EQ(parse_shard("2/5").index, 2);
  EXPECT_THROW(load_sweep_job(sweep_, "0"), ConfigError);  // trials must be positive
}

}  // namespace
}  // namespace relusim
