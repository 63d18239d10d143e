// Numbers a paper can trust: one test per class of silent wrong result or lost data (the rules of
// docs/model.md "Reachable criteria", "At rest near the target" and "Non-finite numbers", and of
// README "Exit codes"). Each test fails if its class regresses.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <fstream>
#include <random>
#include <sstream>

#include "relusim/engine/exact_sum.hpp"
#include "relusim/io/config.hpp"
#include "relusim/io/job.hpp"
#include "relusim/io/journal.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/a/model.hpp"
#include "relusim/models/b/model.hpp"
#include "relusim/models/b/theory.hpp"
#include "relusim/models/c/types.hpp"
#include "relusim/models/registry.hpp"
#include "test_helpers.hpp"

namespace relusim {
namespace {

using testing::run_cli;
namespace fs = std::filesystem;

CellConfig cell_of(const std::string& model) {
  CellConfig c;
  set_parameter(c, "model", model);
  return c;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path p =
      fs::temp_directory_path() / ("relusim_trust_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- 1. Tolerances at the precision floor --------------------------------------------------

TEST(Trust, ATolBelowThePrecisionFloorIsRefused) {
  for (const std::string model : {"A", "B", "C"}) {
    for (Precision precision : {Precision::f64, Precision::f32}) {
      for (Criterion criterion : {Criterion::distance, Criterion::angle, Criterion::loss}) {
        CellConfig c = cell_of(model);
        c.precision = precision;
        c.criterion = criterion;
        c.tol = criterion_floor(criterion, precision);
        try {
          validate(c);
        } catch (const ConfigError& e) {
          // The model may not offer this criterion at all; then it says so, not the floor.
          EXPECT_EQ(std::string(e.what()).find("resolves"), std::string::npos) << e.what();
          continue;
        }
        c.tol *= 0.5;
        try {
          validate(c);
          ADD_FAILURE() << model << " tol " << c.tol << " accepted";
        } catch (const ConfigError& e) {
          EXPECT_EQ(e.key(), "tol") << e.what();
        }
      }
    }
  }
  EXPECT_DOUBLE_EQ(criterion_floor(Criterion::distance, Precision::f64), 1e3 * DBL_EPSILON);
}

TEST(Trust, ModelAAtRestAtTheTargetIsNotStuck) {
  // The probe's case: tol 1e-9 and 10x the floor. Trajectories that rest within sqrt(stuck_tol)
  // of the target keep running and converge; a stuck one is far from it; the theorem holds.
  for (double tol : {1e-9, 10.0 * criterion_floor(Criterion::distance, Precision::f64)}) {
    CellConfig c = cell_of("A");
    c.tol = tol;
    c.trials = 20;
    c.steps = 100000;
    const CellResult r = testing::run_cells({c}, 0, 4096, true)[0];
    int stuck = 0;
    for (const TrajectoryRecord& rec : r.records) {
      if (rec.outcome == Outcome::stuck) {
        ++stuck;
        EXPECT_GE(rec.slot[ModelA::kDistance], std::sqrt(c.stuck_tol)) << rec.id;
      }
      if (rec.outcome == Outcome::converged) {
        EXPECT_LT(rec.slot[ModelA::kDistance], tol);
      }
    }
    EXPECT_GE(r.summary.counts[static_cast<int>(Outcome::converged)], 15) << tol;
    EXPECT_LE(stuck, 5);
    EXPECT_NE(r.summary.verdict, kVerdictViolated) << tol;
  }
}

TEST(Trust, ModelBAtRestAtTheTargetIsNoSaddle) {
  CellConfig c = cell_of("B");
  c.tol = 1e-11;
  c.trials = 20;
  c.steps = 30000;
  const CellResult r = testing::run_cells({c}, 0, 4096, true)[0];
  int saddles = 0;
  for (const TrajectoryRecord& rec : r.records) {
    if (rec.outcome != Outcome::stuck) continue;
    ++saddles;
    const bool matched = (rec.flags >> ModelB::kMatched) & 1U;
    EXPECT_TRUE(!matched || rec.slot[ModelB::kMatchedDistance] >= std::sqrt(c.stuck_tol))
        << rec.id << " " << rec.slot[ModelB::kMatchedDistance];
    EXPECT_GT(rec.slot[ModelB::kLoss], 1e-6) << rec.id;  // a saddle is not the teacher's loss
  }
  EXPECT_GT(saddles, 0);  // the cell does reach saddles: the test looks at some
  EXPECT_GE(r.summary.counts[static_cast<int>(Outcome::converged)], 8);
}

TEST(Trust, ModelCConvergesAtTenTimesTheFloor) {
  CellConfig c = cell_of("C");
  c.tol = 10.0 * criterion_floor(Criterion::distance, Precision::f64);
  c.trials = 6;
  c.steps = 20000;
  const CellResult r = testing::run_cells({c}, 0, 4096, true)[0];
  EXPECT_EQ(r.summary.counts[static_cast<int>(Outcome::converged)], c.trials);
  for (const TrajectoryRecord& rec : r.records) {
    EXPECT_LT(rec.slot[kCDistF], c.tol * 10.0) << rec.id;  // |W*|_F of the default is below 10
    EXPECT_GE(rec.slot[kCLoss], 0.0) << rec.id;  // at the teacher the closed form cancels to ~0
  }
}

// ---- 2. Inputs enter the job identity by content --------------------------------------------

TEST(Trust, AChangedMatrixFileIsAnotherJob) {
  const fs::path dir = fresh_dir("matrix");
  const fs::path teacher = dir / "teacher.txt";
  std::ofstream(teacher) << "0.1 0.2\n0.3 0.4\n";
  const std::string run = "run --model C --d 2 --trials 4 --steps 50 --teacher_file " +
                          teacher.string() + " --out " + (dir / "out").string();
  std::string err;
  ASSERT_EQ(run_cli(run, err), 0) << err;
  ASSERT_EQ(run_cli(run, err), 0) << err;  // the same inputs: the same job, redone in place
  std::ofstream(teacher) << "0.1 0.2\n0.3 0.5\n";
  EXPECT_EQ(run_cli(run, err), 2) << err;
  EXPECT_NE(err.find("matrix_file"), std::string::npos) << err;
  EXPECT_NE(err.find("--force"), std::string::npos) << err;
  // Shards run with different file contents do not merge into a blend.
  const fs::path sweep = dir / "sweep.toml";
  std::ofstream(sweep) << "model = \"C\"\nd = 2\ntrials = 4\nsteps = 50\nteacher_file = \""
                       << teacher.string() << "\"\n[grid]\nseed = [1, 2]\n";
  ASSERT_EQ(run_cli("sweep " + sweep.string() + " --shard 1/2 --out " + (dir / "s1").string(), err),
            0)
      << err;
  std::ofstream(teacher) << "0.1 0.2\n0.3 0.6\n";
  ASSERT_EQ(run_cli("sweep " + sweep.string() + " --shard 2/2 --out " + (dir / "s2").string(), err),
            0)
      << err;
  EXPECT_EQ(run_cli("merge " + (dir / "s1").string() + " " + (dir / "s2").string() + " --out " +
                        (dir / "m").string(),
                    err),
            2)
      << err;
  EXPECT_FALSE(fs::exists(dir / "m" / "summary.csv"));
  fs::remove_all(dir);
}

TEST(Trust, TheSweepTextIsPartOfTheJob) {
  SweepPlan plan = make_plan({cell_of("A")}, 64);
  JobSource a, b;
  a.command = b.command = "sweep";
  a.file = b.file = "s.toml";
  a.text = "trials = 1000\n";
  b.text = "trials = 1000  # the same cells, another file\n";
  const nlohmann::json ha = job_header(plan, a, "cpu", {1, 1}, false);
  const nlohmann::json hb = job_header(plan, b, "cpu", {1, 1}, false);
  EXPECT_NE(job_fingerprint(ha), job_fingerprint(hb));
  EXPECT_FALSE(header_differences(ha, hb).empty());
}

// ---- 3. Non-finite numbers ------------------------------------------------------------------

void expect_means_cover_the_finite(const CellResult& r, const std::vector<int>& slots) {
  const CellTally& t = r.summary.tally;
  const std::int64_t diverged = r.summary.counts[static_cast<int>(Outcome::diverged)];
  EXPECT_GT(diverged, 0);  // the cell does diverge: the test looks at something
  for (int s : slots) {
    EXPECT_EQ(t.slot_counts[s], t.trials - diverged) << "slot " << s;
    EXPECT_TRUE(std::isfinite(slot_mean(t, s)))
        << "slot " << s << " of model " << r.summary.model->name;
  }
  for (double v : r.summary.values)
    EXPECT_FALSE(std::isinf(v));
  for (const TrajectoryRecord& rec : r.records) {
    if (rec.outcome == Outcome::diverged) continue;
    for (int s : slots)
      EXPECT_TRUE(std::isfinite(rec.slot[s])) << rec.id << " slot " << s;
  }
}

TEST(Trust, NonFiniteStatesDivergeWhateverBlowupSays) {
  struct Case {
    std::string model;
    int d;  // 0: the model's default
    double eta;
    std::int64_t trials, steps;
    std::vector<int> slots;  // the means to look at
  };
  const std::vector<Case> cases = {
      {"A", 0, 3.0, 40, 2000, {ModelA::kDistance, ModelA::kLoss, ModelA::kGradNorm}},
      {"B", 0, 3.0, 40, 2000, {ModelB::kLoss, ModelB::kMatchedDistance, ModelB::kX}},
      {"C", 3, 1.0, 20, 500, {kCLoss, kCDistF, kCDist2}},  // most diverge, some do not
  };
  for (double blowup : {1e300, std::numeric_limits<double>::infinity()}) {
    for (const Case& k : cases) {
      CellConfig c = cell_of(k.model);
      if (k.d > 0) c.d = k.d;
      c.eta = k.eta;
      c.blowup = blowup;
      c.trials = k.trials;
      c.steps = k.steps;
      expect_means_cover_the_finite(testing::run_cells({c}, 0, 4096, true)[0], k.slots);
    }
  }
}

TEST(Trust, TheTableNeverPrintsANumberWiderThanItsColumn) {
  std::string err, out;
  ASSERT_EQ(run_cli("run --model B --eta 3 --blowup inf --trials 40 --steps 2000", err, &out), 0)
      << err;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("--", 0) == 0 || line.rfind("note", 0) == 0) continue;  // rule, notes
    std::istringstream words(line);
    std::string w;
    while (words >> w)
      EXPECT_LE(w.size(), 16u) << line;
  }
  EXPECT_NE(out.find("_count columns"), std::string::npos) << out;
}

TEST(Trust, ExactSumsDoNotDependOnOrder) {
  // Hand cases: cancellation, ties to even, overflow, subnormals, signs.
  auto sum = [](std::initializer_list<double> xs) {
    ExactSum s;
    for (double x : xs)
      s.add(x);
    return s.value();
  };
  EXPECT_EQ(sum({1e100, 1.0, -1e100}), 1.0);
  EXPECT_EQ(sum({1.0, 0x1p-53}), 1.0);                      // a tie: to even
  EXPECT_EQ(sum({1.0, 0x1p-53, 0x1p-105}), 1.0 + 0x1p-52);  // just above the tie: up
  EXPECT_EQ(sum({1.0 + 0x1p-52, 0x1p-53}), 1.0 + 0x1p-51);  // a tie from odd: up to even
  EXPECT_EQ(sum({DBL_MAX, DBL_MAX}), INFINITY);
  EXPECT_EQ(sum({DBL_MAX, DBL_MAX, -DBL_MAX}), DBL_MAX);  // no intermediate overflow
  EXPECT_EQ(sum({DBL_TRUE_MIN, DBL_TRUE_MIN, DBL_TRUE_MIN}), 3 * DBL_TRUE_MIN);
  EXPECT_EQ(sum({-2.5, 1.0}), -1.5);
  EXPECT_EQ(sum({}), 0.0);
  // Any order, any grouping: the same bits.
  std::mt19937_64 gen(7);
  std::vector<double> xs;
  for (int i = 0; i < 2000; ++i)
    xs.push_back(std::ldexp(std::uniform_real_distribution<double>(-1, 1)(gen),
                            std::uniform_int_distribution<int>(-60, 60)(gen)));
  ExactSum forward;
  for (double x : xs)
    forward.add(x);
  std::shuffle(xs.begin(), xs.end(), gen);
  ExactSum left, right;
  for (std::size_t i = 0; i < xs.size(); ++i)
    (i % 3 == 0 ? left : right).add(xs[i]);
  left += right;
  EXPECT_TRUE(forward == left);
  EXPECT_EQ(forward.value(), left.value());
  // And it is the correctly rounded sum: pairs (x, -x) cancel exactly, leaving one value.
  ExactSum pairs;
  for (double x : xs) {
    pairs.add(x);
    pairs.add(-x);
  }
  pairs.add(0.1);
  EXPECT_EQ(pairs.value(), 0.1);
}

// ---- 4. Every write checked, every output owned -----------------------------------------------

TEST(Trust, AFailedWriteIsAnErrorWithExitOne) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  // Whatever the command: stdout on a full device, and a reader that closes the pipe early.
  auto status_of = [](const std::string& script) {
    const std::string cmd = "bash -c '" + script + "'";
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  const std::string cli = RELUSIM_CLI_PATH;
  const fs::path err = fresh_dir("write") / "err.txt";
  for (const std::string args :
       {"theory", "trace --steps 3", "field --points 3", "run --trials 4", "--help"}) {
    EXPECT_EQ(status_of(cli + " " + args + " >/dev/full 2>" + err.string()), 1) << args;
    EXPECT_NE(slurp(err).find("cannot write to standard output"), std::string::npos)
        << args << ": " << slurp(err);
  }
  EXPECT_EQ(status_of(cli +
                      " trace --every 1 --steps 200000 --early_stop false 2>/dev/null | head -c 10 "
                      ">/dev/null;" +
                      " exit ${PIPESTATUS[0]}"),
            1);
  fs::remove_all(err.parent_path());
  // Files too: a device that refuses is an error naming the file.
  try {
    write_file_synced("/dev/full", "data\n");
    ADD_FAILURE() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/full"), std::string::npos) << e.what();
  }
}

TEST(Trust, AnOutputDirectoryOfAnotherRunIsRefusedUnlessForced) {
  const fs::path dir = fresh_dir("owned");
  const std::string out = " --trials 4 --steps 100 --out " + (dir / "out").string();
  std::string err;
  ASSERT_EQ(run_cli("run --seed 1" + out, err), 0) << err;
  const std::string first = slurp(dir / "out" / "summary.csv");
  EXPECT_EQ(run_cli("run --seed 2" + out, err), 2) << err;
  EXPECT_NE(err.find("seed"), std::string::npos) << err;
  EXPECT_NE(err.find("--force"), std::string::npos) << err;
  EXPECT_EQ(slurp(dir / "out" / "summary.csv"), first);  // untouched
  EXPECT_EQ(run_cli("run --seed 2 --force" + out, err), 0) << err;
  EXPECT_NE(slurp(dir / "out" / "summary.csv"), first);

  // --force clears the old results before the new journal exists: a replacement killed at any
  // later point never leaves the old summary beside the new run's journal.
  CellConfig c = cell_of("A");
  c.seed = 3;
  JobSource source;
  source.command = "run";
  const nlohmann::json header = job_header(make_plan({c}, 64), source, "cpu", {1, 1}, false);
  EXPECT_THROW(claim_output_directory((dir / "out").string(), header, false), ConfigError);
  claim_output_directory((dir / "out").string(), header, true);
  EXPECT_FALSE(fs::exists(dir / "out" / "summary.csv"));
  EXPECT_FALSE(fs::exists(dir / "out" / "summary.json"));
  fs::remove_all(dir);
}

TEST(Trust, ADamagedJournalHeaderIsRefusedWithExitTwo) {
  const fs::path dir = fresh_dir("journal");
  const fs::path sweep = dir / "s.toml";
  std::ofstream(sweep) << "trials = 8\nsteps = 100\n[grid]\nseed = [1, 2, 3]\n";
  const std::string cmd =
      "sweep " + sweep.string() + " --batch-trajectories 4 --out " + (dir / "out").string();
  // Killed (SIGKILL, the test hook) after two batches: an unfinished run with a journal. Then
  // one byte of the journal header's payload flips.
  const std::string kill = "RELUSIM_TEST_KILL_AFTER_BATCHES=2 " + std::string(RELUSIM_CLI_PATH) +
                           " " + cmd + " >/dev/null 2>&1";
  ASSERT_NE(std::system(kill.c_str()), 0);
  ASSERT_TRUE(fs::exists(dir / "out" / "journal.rsj"));
  ASSERT_FALSE(fs::exists(dir / "out" / "summary.csv"));
  std::string err;
  std::string bytes = slurp(dir / "out" / "journal.rsj");
  bytes[20] = static_cast<char>(bytes[20] ^ 0x04);
  std::ofstream(dir / "out" / "journal.rsj", std::ios::binary) << bytes;
  EXPECT_EQ(run_cli(cmd + " --resume", err), 2) << err;
  EXPECT_NE(err.find("damaged"), std::string::npos) << err;
  EXPECT_EQ(slurp(dir / "out" / "journal.rsj"), bytes);  // kept for the user to restore
  fs::remove_all(dir);
}

TEST(Trust, SweepTrialsIsCheckedOnEachCellNotOnTheBase) {
  // The base alone (K = 3 units in d = 2) is no valid cell; every cell of the grid is. --trials
  // is read and checked as the key is, on the cells it applies to.
  const fs::path dir = fresh_dir("trials");
  std::ofstream(dir / "s.toml") << "model = \"B\"\nK = 3\nd = 2\nsteps = 10\n[grid]\nd = [3, 4]\n";
  std::string err, out;
  EXPECT_EQ(run_cli("sweep " + (dir / "s.toml").string() + " --trials 4e0", err, &out), 0) << err;
  EXPECT_EQ(run_cli("sweep " + (dir / "s.toml").string() + " --trials 0", err), 2) << err;
  EXPECT_NE(err.find("'trials': must be >= 1"), std::string::npos) << err;
  fs::remove_all(dir);
}

// ---- 5. Corner cases that printed NaN ---------------------------------------------------------

TEST(Trust, TheoryAndFieldCornersAreFinite) {
  std::string err, out;
  ASSERT_EQ(run_cli("theory --model B --K 1 --x 0 --y 0", err, &out), 0) << err;
  EXPECT_EQ(out.find("nan"), std::string::npos) << out;
  ASSERT_EQ(run_cli("field --model B", err, &out), 0) << err;
  EXPECT_EQ(out.find("nan"), std::string::npos);
  EXPECT_NE(out.find("\n0,0,0,0,0,"), std::string::npos);  // the origin row: nothing moves
}

// ---- 6. Numbers at full precision -------------------------------------------------------------

TEST(Trust, ReportedNumbersRoundTrip) {
  std::mt19937_64 gen(11);
  for (int i = 0; i < 100000; ++i) {
    double v;
    const std::uint64_t bits = gen();
    std::memcpy(&v, &bits, sizeof v);
    if (!std::isfinite(v)) continue;
    EXPECT_EQ(std::strtod(report_number(v).c_str(), nullptr), v) << report_number(v);
  }
  EXPECT_EQ(report_number(0.1), "0.1");
  EXPECT_EQ(report_number(1.0 / 3.0), "0.3333333333333333");
}

TEST(Trust, TraceRowsCarryEveryDigit) {
  // The trace's last row against the same trajectory run in this process: bit for bit.
  CellConfig c = cell_of("A");
  c.trials = 1;
  c.steps = 7;
  c.early_stop = false;
  const CellResult r = testing::run_cells({c}, 1, 4096, true)[0];
  std::string err, out;
  ASSERT_EQ(run_cli("trace --trials 1 --steps 7 --every 7 --early_stop false", err, &out), 0)
      << err;
  std::istringstream lines(out);
  std::string line, last;
  while (std::getline(lines, line))
    if (!line.empty()) last = line;
  std::vector<double> fields;
  std::istringstream row(last);
  std::string f;
  while (std::getline(row, f, ','))
    fields.push_back(std::strtod(f.c_str(), nullptr));
  ASSERT_GE(fields.size(), 4u) << last;  // step, loss, distance, angle, w...
  EXPECT_EQ(fields[0], 7.0);
  EXPECT_EQ(fields[1], r.records[0].slot[ModelA::kLoss]) << last;
  EXPECT_EQ(fields[2], r.records[0].slot[ModelA::kDistance]) << last;

  // theory too: x*(K) reads back as the closed form's double.
  ASSERT_EQ(run_cli("theory --model B --K 5", err, &out), 0) << err;
  const std::string label = "x*(K) (Tian Thm 4.1)";
  const std::size_t at = out.find(label);
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_EQ(std::strtod(out.c_str() + at + label.size(), nullptr), tian_saddle_x(5)) << out;
}

}  // namespace
}  // namespace relusim
