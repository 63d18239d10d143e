// The test-only model (linear_toy.hpp) added at run time and driven through the library as a
// built-in model is: the conformance suite (registry, teams, replay, any thread count and batch
// size, waves), a sweep file read by the job layer, a stop and a resume, shards and their merge,
// the reports and the trace, each checked against the toy's closed form where one exists.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "conformance_suite.hpp"
#include "job_fixture.hpp"
#include "linear_toy.hpp"
#include "relusim/app/job.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/trace.hpp"

namespace relusim {

namespace testing {
/// Three step sizes in both precisions, of one launch shape.
template <>
inline std::vector<CellConfig> conformance_cells<toy::LinearToy>() {
  std::vector<CellConfig> cells;
  for (double eta : {0.3, 0.9, 1.6}) {
    for (Precision prec : {Precision::f64, Precision::f32}) {
      CellConfig c;
      set_parameter(c, "model", std::string("toy"));
      c.d = 4;
      c.eta = eta;
      c.precision = prec;
      c.tol = prec == Precision::f32 ? 1e-3 : 1e-6;
      c.steps = 400;
      c.trials = 50;
      cells.push_back(c);
    }
  }
  return cells;
}
}  // namespace testing

namespace {
// Registered before main: the instantiated suite below and every test find it by name.
const bool kRegistered = (register_model<toy::LinearToy>(), true);
}  // namespace

namespace conformance {
INSTANTIATE_TYPED_TEST_SUITE_P(Toy, Conformance, ::testing::Types<toy::LinearToy>);
}  // namespace conformance

namespace {

namespace fs = std::filesystem;

using testing::slurp;

/// The toy's closed form: the first step at which |w_t - w*| < tol (|w*| = 1).
std::int64_t closed_form_steps(double eta, double tol, double r0) {
  return static_cast<std::int64_t>(std::ceil(std::log(tol / r0) / std::log(std::fabs(1.0 - eta))));
}

/// Read by the same TOML reader as any sweep: `model` first, then the toy's own key; three
/// cells of 40 trajectories in batches of 7.
class Toy : public testing::JobFixture {
 protected:
  Toy()
      : JobFixture(
            "model = \"toy\"\nd = 3\nspread = 0.7\ntol = 1e-6\nsteps = 2000\ntrials = 40\n"
            "[grid]\neta = [0.25, 1.3, 2.5]\n",
            2, 7) {}
  void SetUp() override {
    ASSERT_TRUE(kRegistered);
    JobFixture::SetUp();
  }
};

TEST_F(Toy, TheRegistryListsItAfterTheBuiltInModels) {
  EXPECT_EQ(model_names(), (std::vector<std::string>{"A", "B", "C", "toy"}));
  EXPECT_FALSE(model_entry("toy").built_in);
  EXPECT_THROW(register_model<toy::LinearToy>(), std::logic_error);  // a name is taken once
  CellConfig c;
  EXPECT_THROW(set_parameter(c, "spread", 0.5), ConfigError);  // not a key of model A
  set_parameter(c, "model", std::string("toy"));
  set_parameter(c, "spread", 0.25);
  EXPECT_EQ(c.of<toy::ToyCell>().spread, 0.25);
  EXPECT_EQ(c.mode, DataMode::expected);                       // the toy's defaults applied
  EXPECT_THROW(set_parameter(c, "lambda", 0.1), ConfigError);  // a key of model A only
  c.of<toy::ToyCell>().spread = -1.0;
  EXPECT_THROW(validate(c), ConfigError);
}

TEST_F(Toy, EveryTrajectoryEndsWhereTheClosedFormSays) {
  SweepJob job = load_sweep_job(sweep_);
  ASSERT_EQ(job.cells.size(), 3u);
  JobOptions o = options("out");
  o.keep_trajectories = true;
  const JobOutcome out = run_job(job.cells, job.source, o);
  ASSERT_EQ(out.status, JobStatus::complete);
  ASSERT_EQ(out.results.size(), 3u);
  for (std::size_t c = 0; c < 3; ++c) {
    const CellConfig& cell = out.plan.cells[c];
    const CellResult& r = out.results[c];
    ASSERT_EQ(r.records.size(), 40u);
    SCOPED_TRACE("eta " + std::to_string(cell.eta));
    if (cell.eta < 2.0) {  // converges from anywhere, at the closed form's step
      EXPECT_EQ(r.summary.counts[0], 40);
      EXPECT_EQ(r.summary.verdict, "holds");
      double sum = 0.0;
      for (const TrajectoryRecord& rec : r.records) {
        const double r0 = 0.7 * (1 + rec.id % 5);
        const double exact = std::log(1e-6 / r0) / std::log(std::fabs(1.0 - cell.eta));
        if (std::fabs(exact - std::round(exact)) < 1e-6) continue;  // rounding decides the step
        EXPECT_EQ(rec.outcome, Outcome::converged);
        EXPECT_EQ(rec.steps_to_converge, closed_form_steps(cell.eta, 1e-6, r0)) << rec.id;
        EXPECT_LT(rec.slot[toy::LinearToy::kDistance], 1e-6);
        sum += static_cast<double>(rec.steps_to_converge);
      }
      EXPECT_NEAR(r.summary.value("mean_steps_to_converge"), sum / 40.0, 1e-9);
    } else {  // |1 - eta| > 1: every trajectory blows up
      EXPECT_EQ(r.summary.counts[1], 40);
      EXPECT_EQ(r.summary.rate, 0.0);
    }
  }
  // The reports name the toy's key and columns.
  const std::string summary = slurp(dir_ / "out" / "summary.csv");
  const std::string header = summary.substr(0, summary.find('\n'));
  EXPECT_NE(header.find("spread"), std::string::npos) << header;
  EXPECT_NE(header.find("mean_final_distance"), std::string::npos) << header;
  EXPECT_NE(summary.find(",unit-quadratic,holds,"), std::string::npos) << summary;
  EXPECT_EQ(summary, summary_csv(out.plan.cells, out.results));
  const std::string traj = slurp(dir_ / "out" / "trajectories.csv");
  EXPECT_NE(traj.find("distance,weight_norm"), std::string::npos);
}

TEST_F(Toy, AStopThenAResumeGivesTheUninterruptedSummary) {
  SweepJob job = load_sweep_job(sweep_);
  const JobOutcome whole = run_job(job.cells, job.source, options("whole"));
  ASSERT_EQ(whole.status, JobStatus::complete);
  JobOptions first = options("out");
  int asked = 0;
  first.stop_requested = [&asked] { return ++asked > 4; };
  const JobOutcome stopped = run_job(job.cells, job.source, first);
  ASSERT_EQ(stopped.status, JobStatus::stopped);
  EXPECT_LT(stopped.trajectories_done, stopped.trajectories_total);
  EXPECT_TRUE(fs::exists(dir_ / "out" / "journal.rsj"));
  JobOptions again = options("out");
  again.resume = true;
  const JobOutcome resumed = run_job(job.cells, job.source, again);
  ASSERT_EQ(resumed.status, JobStatus::complete);
  EXPECT_EQ(slurp(dir_ / "out" / "summary.csv"), slurp(dir_ / "whole" / "summary.csv"));
}

TEST_F(Toy, ShardsMergeIntoTheWholeRun) {
  SweepJob job = load_sweep_job(sweep_);
  const JobOutcome whole = run_job(job.cells, job.source, options(""));
  std::vector<std::string> dirs;
  for (int k = 1; k <= 2; ++k) {
    JobOptions o = options("shard" + std::to_string(k));
    o.shard = parse_shard(std::to_string(k) + "/2");
    ASSERT_EQ(run_job(job.cells, job.source, o).status, JobStatus::shard_complete);
    dirs.push_back(o.out_dir);
  }
  const JobOutcome merged = merge_shards(dirs, (dir_ / "merged").string(), false, "test", &log_);
  ASSERT_EQ(merged.status, JobStatus::complete);
  EXPECT_EQ(slurp(dir_ / "merged" / "summary.csv"), summary_csv(whole.plan.cells, whole.results));
}

TEST_F(Toy, TheTraceFollowsTheGeometricDecay) {
  CellConfig c;
  set_parameter(c, "model", std::string("toy"));
  c.d = 2;
  c.eta = 0.5;
  c.tol = 1e-6;
  c.trials = 10;
  std::ostringstream os;
  const std::uint32_t id = 3;  // r0 = 0.5 * 4
  const TrajectoryRecord rec = trace_trajectory(c, id, 1, os);
  std::istringstream in(os.str());
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "step,distance,weight_norm,w0,w1");
  int rows = 0;
  while (std::getline(in, line)) {
    const std::int64_t t = std::stoll(line.substr(0, line.find(',')));
    const double dist = std::stod(line.substr(line.find(',') + 1));
    EXPECT_NEAR(dist, 2.0 * std::pow(0.5, static_cast<double>(t)), 1e-12) << line;
    ++rows;
  }
  EXPECT_EQ(rows, rec.steps + 1);
  EXPECT_EQ(rec.steps_to_converge, closed_form_steps(0.5, 1e-6, 2.0));
}

}  // namespace
}  // namespace relusim
