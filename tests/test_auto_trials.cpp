// Cells with trials = "auto" (docs/model.md, "Sweeps that stop when they know"): the stopping
// rule against hand-computed Wilson intervals, a plan cut at the steps, a result that is the
// fixed-trials run of the trials it used and whose rule failed at every earlier step, the same
// bytes whatever the threads, the batch cap, a stop and resume or shards, and the refusals.
// MPI ranks and kill -9 are tests/scale_out_test.sh with tests/data/auto.toml.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "job_fixture.hpp"
#include "relusim/app/job.hpp"
#include "relusim/engine/stats.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/a/model.hpp"
#include "test_helpers.hpp"

namespace relusim {
namespace {

namespace fs = std::filesystem;
using testing::slurp;

CellTally tally_of(std::int64_t converged, std::int64_t trials) {
  CellTally t;
  t.trials = trials;
  t.counts[static_cast<int>(Outcome::converged)] = converged;
  t.counts[static_cast<int>(Outcome::stuck)] = trials - converged;
  return t;
}

/// Model A, fixed design, Tian's bound (0.45 at eps = 0.1): its rate is about 0.93.
CellConfig auto_cell(StopTarget until, double halfwidth = 0.05) {
  CellConfig c;
  c.n_samples = 20;
  c.d = 3;
  c.steps = 3000;
  c.seed = 11;
  set_parameter(c, "trials", std::string("auto"));
  set_parameter(c, "max_trials", std::int64_t{2000});
  set_parameter(c, "trials_step", std::int64_t{25});
  c.until = until;
  c.ci_halfwidth = halfwidth;
  validate(c);
  return c;
}

TEST(AutoTrials, TheRuleAgainstHandComputedIntervals) {
  // Wilson, z = 1.96: k = 50 of n = 100 gives centre 0.5 and half-width
  // 1.96 sqrt(0.25/100 + 1.96^2/40000) / (1 + 1.96^2/100) = 0.09617.
  CellConfig c = auto_cell(StopTarget::halfwidth, 0.0962);
  EXPECT_TRUE(stop_rule_met(c, tally_of(50, 100)));
  c.ci_halfwidth = 0.0961;
  EXPECT_FALSE(stop_rule_met(c, tally_of(50, 100)));
  EXPECT_FALSE(stop_rule_met(c, CellTally{}));  // nothing ran: never met
  // Verdict: bound 0.45. 60 of 100: [0.502, 0.691] clear above it; 50 of 100: [0.404, 0.596]
  // holds the bound; 30 of 100: [0.219, 0.396] clear below it.
  const CellConfig v = auto_cell(StopTarget::verdict);
  ASSERT_DOUBLE_EQ(theory_bound_for(v).value, 0.45);
  EXPECT_TRUE(stop_rule_met(v, tally_of(60, 100)));
  EXPECT_FALSE(stop_rule_met(v, tally_of(50, 100)));
  EXPECT_TRUE(stop_rule_met(v, tally_of(30, 100)));
  // Below the bound, the censored (undecided) trajectories must not straddle it: 30 converged
  // and 20 undecided of 100 give [0.402, 0.596] counted as converged: not settled.
  CellTally censored = tally_of(30, 100);
  censored.counts[static_cast<int>(Outcome::stuck)] -= 20;
  censored.counts[static_cast<int>(Outcome::undecided)] = 20;
  EXPECT_FALSE(stop_rule_met(v, censored));
  censored.counts[static_cast<int>(Outcome::undecided)] = 5;  // [0.262, 0.447]: violated
  censored.counts[static_cast<int>(Outcome::stuck)] += 15;
  EXPECT_TRUE(stop_rule_met(v, censored));
  // Kong's cells also vote on their hypotheses: the share of positive-definite designs within
  // the lambda bound against 1/2 must be settled. 60 of 100 designs: [0.502, 0.691], settled;
  // 55 of 100: [0.452, 0.644], not; no positive-definite design yet: not.
  CellConfig kong = v;
  set_parameter(kong, "regularizer", std::string("l2"));
  set_parameter(kong, "lambda", 0.01);
  ASSERT_EQ(theory_bound_for(kong).name, "kong-5");
  CellTally k = tally_of(95, 100);
  k.flag_counts[ModelA::kPositiveDefinite] = 100;
  k.flag_counts[ModelA::kWithinBound] = 60;
  EXPECT_TRUE(stop_rule_met(kong, k));
  k.flag_counts[ModelA::kWithinBound] = 55;
  EXPECT_FALSE(stop_rule_met(kong, k));
  k.flag_counts[ModelA::kPositiveDefinite] = k.flag_counts[ModelA::kWithinBound] = 0;
  EXPECT_FALSE(stop_rule_met(kong, k));
}

TEST(AutoTrials, BatchesNeverSpanTwoSteps) {
  CellConfig c = auto_cell(StopTarget::halfwidth);
  c.max_trials = c.trials = 110;
  for (std::uint32_t cap : {7u, 25u, 40u, 4096u}) {
    const SweepPlan plan = make_plan({c}, cap);
    std::int64_t next = 0;
    for (const PlannedBatch& b : plan.batches) {
      EXPECT_EQ(b.first_id, next);
      EXPECT_LE(b.count, cap);
      EXPECT_EQ(b.first_id / 25, (b.first_id + b.count - 1) / 25) << "cap " << cap;
      next += b.count;
    }
    EXPECT_EQ(next, 110);
    EXPECT_EQ(fitting_batch_cap({c}, cap), cap);
  }
}

TEST(AutoTrials, TheResultIsTheFixedRunOfTheTrialsUsedAndTheRuleFailedBefore) {
  for (StopTarget until : {StopTarget::halfwidth, StopTarget::verdict}) {
    const CellConfig c = auto_cell(until);
    const std::vector<CellResult> r = testing::run_cells({c}, 2, 4096, true);
    const CellSummary& s = r[0].summary;
    ASSERT_GT(s.trials, 0);
    EXPECT_EQ(s.trials % c.trials_step, 0);
    EXPECT_LT(s.trials, c.max_trials);
    EXPECT_EQ(s.stopped_by, until == StopTarget::verdict ? kStoppedByVerdict : kStoppedByHalfwidth);
    ASSERT_EQ(r[0].records.size(), static_cast<std::size_t>(s.trials));
    // The same trajectories with a fixed count: the same tally, bit for bit.
    CellConfig fixed = c;
    set_parameter(fixed, "trials", s.trials);
    const std::vector<CellResult> f = testing::run_cells({fixed}, 1, 64);
    testing::expect_same_tally(s.tally, f[0].summary.tally, 0.0);
    EXPECT_EQ(f[0].summary.stopped_by, kStoppedByTrials);
    // The rule holds at the trials used and at no earlier step (from the records, in id order).
    std::int64_t converged = 0;
    for (std::size_t i = 0; i < r[0].records.size(); ++i) {
      converged += r[0].records[i].outcome == Outcome::converged ? 1 : 0;
      const auto n = static_cast<std::int64_t>(i + 1);
      if (n % c.trials_step != 0) continue;
      EXPECT_EQ(stop_rule_met(c, tally_of(converged, n)), n == s.trials) << n;
    }
  }
}

TEST(AutoTrials, TheSameBytesWhateverThreadsAndBatchCap) {
  std::vector<CellConfig> cells = {auto_cell(StopTarget::halfwidth),
                                   auto_cell(StopTarget::verdict)};
  cells[1].seed = 12;
  CellConfig fixed = auto_cell(StopTarget::halfwidth);
  set_parameter(fixed, "trials", std::int64_t{60});
  fixed.seed = 13;
  cells.push_back(fixed);
  const std::string reference = summary_csv(cells, testing::run_cells(cells, 1, 4096));
  for (auto [threads, cap] : {std::pair{2, 7u}, std::pair{1, 25u}, std::pair{2, 100u}})
    EXPECT_EQ(summary_csv(cells, testing::run_cells(cells, threads, cap)), reference)
        << threads << " threads, cap " << cap;
}

TEST(AutoTrials, AssembleLeavesOutBatchesAfterTheDecisionRunOrNot) {
  const CellConfig c = auto_cell(StopTarget::halfwidth);
  const SweepPlan plan = make_plan({c}, 25);
  auto backend = make_cpu_backend(1);
  std::vector<std::optional<BatchResult>> all(plan.batches.size());
  run_batches(plan, all_batches(plan), *backend, false, false,
              [&](std::size_t b, BatchResult&& r) { all[b] = std::move(r); });
  std::vector<std::optional<BatchResult>> copy = all;
  const std::string every = summary_csv(plan.cells, assemble(plan, std::move(copy)));
  const CellProgress p = cell_progress(plan, all)[0];
  ASSERT_TRUE(p.decided);
  ASSERT_LT(p.batches_used, plan.batches.size());
  // Only what the decision needs, and a gap after it: the same summary.
  std::vector<std::optional<BatchResult>> some = all;
  for (std::size_t b = p.batches_used; b < some.size(); b += 2)
    some[b].reset();
  EXPECT_EQ(summary_csv(plan.cells, assemble(plan, std::move(some))), every);
  // A batch the decision needs is missing: refused.
  std::vector<std::optional<BatchResult>> gap = all;
  gap[p.batches_used - 1].reset();
  EXPECT_FALSE(cell_progress(plan, gap)[0].decided);
  EXPECT_THROW(assemble(plan, std::move(gap)), std::logic_error);
  // next_round never asks for a batch past the decision once it is known.
  EXPECT_TRUE(next_round(plan, all_batches(plan), all).empty());
}

TEST(AutoTrials, MaxTrialsEndsACellThatNeverMeetsItsTarget) {
  CellConfig c = auto_cell(StopTarget::halfwidth, 0.001);  // would need ~10^5 trials
  set_parameter(c, "max_trials", std::int64_t{130});
  const CellSummary s = testing::run_cells({c}, 2, 4096)[0].summary;
  EXPECT_EQ(s.trials, 130);  // 5 steps of 25 and a last one of 5
  EXPECT_EQ(s.stopped_by, kStoppedByMaxTrials);
}

TEST(AutoTrials, KeysAreCheckedAndIdentityIgnoresThemWithoutAuto) {
  CellConfig c;
  EXPECT_THROW(set_parameter(c, "trials", std::string("many")), ConfigError);
  try {  // the flag's reader names both forms
    parse_param_text(find_parameter("A", "trials"), "many");
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("an integer or \"auto\""), std::string::npos) << e.what();
  }
  EXPECT_EQ(std::get<std::string>(parse_param_text(find_parameter("A", "trials"), "auto")), "auto");
  EXPECT_EQ(std::get<std::int64_t>(parse_param_text(find_parameter("A", "trials"), "500")), 500);
  set_parameter(c, "trials", std::string("auto"));
  EXPECT_EQ(c.trials, kDefaultMaxTrials);  // the plan cuts max_trials
  set_parameter(c, "max_trials", std::int64_t{500});
  EXPECT_EQ(c.trials, 500);
  EXPECT_EQ(find_parameter("A", "trials").get(c), "auto");
  EXPECT_EQ(cell_json(c)["trials"], "auto");
  c.ci_halfwidth = 0.5;
  EXPECT_THROW(validate(c), ConfigError);
  c.ci_halfwidth = 0.01;
  c.trials_step = 501;
  EXPECT_THROW(validate(c), ConfigError);
  c.trials_step = 1;
  c.max_trials = c.trials = 100000;  // 10^5 steps of one: too many tests of the rule
  EXPECT_THROW(validate(c), ConfigError);
  // until = verdict needs a bound: Model A with l2 regularisation and lambda > 0 has one,
  // Model C none.
  CellConfig nb;
  set_parameter(nb, "model", std::string("C"));
  set_parameter(nb, "trials", std::string("auto"));
  set_parameter(nb, "until", std::string("verdict"));
  try {
    validate(nb);
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "until");
  }
  // Without auto the keys do nothing: two cells that differ only in them are one cell.
  CellConfig a, b;
  b.until = StopTarget::verdict;
  b.ci_halfwidth = 0.2;
  EXPECT_EQ(cell_identity(a), cell_identity(b));
  EXPECT_THROW(refuse_identical_cells({a, b}), ConfigError);
  set_parameter(a, "trials", std::string("auto"));
  set_parameter(b, "trials", std::string("auto"));
  EXPECT_NE(cell_identity(a), cell_identity(b));
}

/// Two auto cells and a fixed one; batches of 16 cut the steps of 20 unevenly.
class AutoJob : public testing::JobFixture {
 protected:
  AutoJob()
      : JobFixture(
            "model = \"A\"\nN = 20\nd = 3\nsteps = 3000\nseed = 5\ntrials = \"auto\"\n"
            "trials_step = 20\nmax_trials = 600\nci_halfwidth = 0.06\n"
            "[grid]\nuntil = [\"halfwidth\", \"verdict\"]\neps = [0.1, 0.9]\n",
            2, 16) {}
};

TEST_F(AutoJob, StopResumeAndShardsGiveTheUninterruptedSummary) {
  SweepJob job = load_sweep_job(sweep_);
  ASSERT_EQ(job.cells.size(), 4u);
  const JobOutcome whole = run_job(job.cells, job.source, options("whole"));
  ASSERT_EQ(whole.status, JobStatus::complete);
  const std::string reference = slurp(dir_ / "whole" / "summary.csv");
  int stopped_early = 0;
  for (const CellResult& r : whole.results) {
    EXPECT_NE(r.summary.stopped_by, kStoppedByTrials);
    stopped_early += r.summary.trials < 600;
  }
  EXPECT_GE(stopped_early, 3);
  // It ran fewer trajectories than the plan's 2400, and said so.
  EXPECT_LT(whole.trajectories_total, 2400);
  EXPECT_NE(log_.str().find("trials = auto"), std::string::npos) << log_.str();

  JobOptions first = options("out");
  int asked = 0;
  first.stop_requested = [&asked] { return ++asked > 4; };
  ASSERT_EQ(run_job(job.cells, job.source, first).status, JobStatus::stopped);
  JobOptions again = options("out");
  again.resume = true;
  again.stop_requested = [] { return false; };
  ASSERT_EQ(run_job(job.cells, job.source, again).status, JobStatus::complete);
  EXPECT_EQ(slurp(dir_ / "out" / "summary.csv"), reference);

  std::vector<std::string> dirs;
  for (int k = 1; k <= 3; ++k) {
    JobOptions o = options("shard" + std::to_string(k));
    o.shard = parse_shard(std::to_string(k) + "/3");
    ASSERT_EQ(run_job(job.cells, job.source, o).status, JobStatus::shard_complete);
    dirs.push_back(o.out_dir);
  }
  ASSERT_EQ(merge_shards(dirs, (dir_ / "merged").string(), false, "test", &log_).status,
            JobStatus::complete);
  EXPECT_EQ(slurp(dir_ / "merged" / "summary.csv"), reference);
  // --trials auto on a fixed sweep: the override travels with the shards' journals.
  std::string err;
  std::ofstream(dir_ / "fixed.toml") << "model = \"A\"\nN = 20\nd = 3\nsteps = 3000\nseed = 5\n"
                                        "trials = 50\nmax_trials = 300\nci_halfwidth = 0.08\n";
  const std::string f = (dir_ / "fixed.toml").string();
  ASSERT_EQ(
      testing::run_cli(
          "sweep " + f + " --trials auto --backend cpu --out " + (dir_ / "cli").string(), err),
      0)
      << err;
  for (int k = 1; k <= 2; ++k)
    ASSERT_EQ(testing::run_cli("sweep " + f + " --trials auto --backend cpu --shard " +
                                   std::to_string(k) + "/2 --batch-trajectories 30 --out " +
                                   (dir_ / ("cs" + std::to_string(k))).string(),
                               err),
              0)
        << err;
  ASSERT_EQ(testing::run_cli("merge " + (dir_ / "cs1").string() + " " + (dir_ / "cs2").string() +
                                 " --out " + (dir_ / "csm").string(),
                             err),
            0)
      << err;
  const std::string cli = slurp(dir_ / "cli" / "summary.csv");
  EXPECT_NE(cli.find(",auto,300,100,halfwidth,0.08,"), std::string::npos) << cli;
  EXPECT_EQ(slurp(dir_ / "csm" / "summary.csv"), cli);
}

}  // namespace
}  // namespace relusim
