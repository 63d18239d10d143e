// Model A's lane form (models/a/lanes.hpp): a trajectory run across vector lanes is bit for bit
// the same whatever shares its vector, whatever the thread count; its screen never lets a stop
// pass; and it is the one-trajectory step's trajectory to rounding, for every regulariser,
// convention, criterion and precision.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <type_traits>
#include <vector>

#include "relusim/core/host_simd.hpp"
#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/models/registry.hpp"
#include "test_helpers.hpp"

#if RELUSIM_HOST_SIMD

namespace relusim {
namespace {

struct LaneRun {
  TrajectoryRecord rec;
  std::vector<double> w;
};

/// The trajectories `ids` run across lanes, in the order given.
template <class T>
std::map<std::uint32_t, LaneRun> run_lanes(const ModelAParams& p,
                                           const std::vector<std::uint32_t>& ids,
                                           bool screen = true) {
  std::map<std::uint32_t, LaneRun> out;
  std::size_t next = 0;
  ModelALanes<T>(p, screen).run(
      [&]() -> std::optional<std::uint32_t> {
        if (next == ids.size()) return std::nullopt;
        return ids[next++];
      },
      [&](const TrajectoryRecord& r, const double* w) {
        EXPECT_EQ(out.count(r.id), 0u) << "trajectory " << r.id << " ended twice";
        out[r.id] = {r, std::vector<double>(w, w + p.d)};
      });
  return out;
}

/// Trajectory `id` alone, by the one-trajectory step (run_team_trajectory on a serial team).
template <class T>
LaneRun run_alone(const ModelAParams& p, std::uint32_t id) {
  std::vector<T> scratch(static_cast<std::size_t>(ModelA::workspace_size(p, 1)));
  LaneRun r;
  r.w.assign(static_cast<std::size_t>(p.d), 0.0);
  SerialTeam team;
  r.rec = run_team_trajectory<ModelA, T>(team, p, id, scratch.data(),
                                         static_cast<NoObserver*>(nullptr), r.w.data());
  return r;
}

void expect_same(const LaneRun& a, const LaneRun& b, const std::string& what) {
  SCOPED_TRACE(what + " id " + std::to_string(a.rec.id));
  EXPECT_EQ(a.rec.id, b.rec.id);
  EXPECT_EQ(a.rec.outcome, b.rec.outcome);
  EXPECT_EQ(a.rec.steps, b.rec.steps);
  EXPECT_EQ(a.rec.steps_to_converge, b.rec.steps_to_converge);
  EXPECT_EQ(a.rec.flags, b.rec.flags);
  for (int s = 0; s < kRecordSlots; ++s)
    EXPECT_EQ(a.rec.slot[s], b.rec.slot[s]) << "slot " << s;
  EXPECT_EQ(a.w, b.w);  // bit for bit
}

/// A Kong-like cell: teacher (1, ..., 1), start in the ball, so trajectories converge, die,
/// come to rest or run out of steps within a few hundred steps.
ModelAParams cell(int n, int d, double stuck_tol = 1e-6) {
  ModelAParams p;
  p.mode = DataMode::fixed;
  p.n_samples = n;
  p.d = d;
  p.teacher = TeacherKind::ones;
  p.init = InitKind::ball;
  p.init_radius = 0.1 * std::sqrt(2.0 * 3.141592653589793 / (d + 1)) * std::sqrt(double(d));
  p.eta = 0.3;
  p.max_steps = 400;
  p.tol = 1e-3;
  p.stuck_tol = stuck_tol;
  p.seed = 7;
  return p;
}

std::string describe(const ModelAParams& p) {
  return "N=" + std::to_string(p.n_samples) + " d=" + std::to_string(p.d) + " " +
         to_string(p.regularizer) + " lambda=" + std::to_string(p.lambda) + " " +
         (p.convention == Convention::descent ? "descent" : "as-printed") + " " +
         to_string(p.criterion) + (p.early_stop ? "" : " no-early-stop") +
         " eta=" + std::to_string(p.eta);
}

/// Rounding allowed between the lane form and the one-trajectory step after a few hundred
/// steps (their fused multiply-adds may differ in the last ulp).
template <class T>
double lane_tolerance() {
  return std::is_same_v<T, float> ? 1e-3 : 1e-9;
}

struct Tally {
  std::map<Outcome, int> seen;
  int compared = 0, steps_differ = 0;
};

/// Ids 0..count-1 across lanes: bit for bit what the lanes give with every lane looked at after
/// every step (the screen misses nothing), and to rounding what each gives alone.
template <class T>
void expect_lanes_equal_alone(const ModelAParams& p, std::uint32_t count, Tally& tally) {
  std::vector<std::uint32_t> ids(count);
  for (std::uint32_t i = 0; i < count; ++i)
    ids[i] = i;
  const std::map<std::uint32_t, LaneRun> lanes = run_lanes<T>(p, ids);
  const std::map<std::uint32_t, LaneRun> looked = run_lanes<T>(p, ids, false);
  ASSERT_EQ(lanes.size(), count);
  ASSERT_EQ(looked.size(), count);
  for (const auto& [id, run] : lanes) {
    expect_same(run, looked.at(id), describe(p) + " screened");
    const LaneRun alone = run_alone<T>(p, id);
    ++tally.seen[run.rec.outcome];
    ++tally.compared;
    if (run.rec.steps != alone.rec.steps || run.rec.outcome != alone.rec.outcome) {
      ++tally.steps_differ;  // a trajectory on the edge of a test: counted, not failed
      continue;
    }
    const double scale = std::max(testing::norm(alone.w), 1.0);
    EXPECT_LE(testing::distance(run.w, alone.w), lane_tolerance<T>() * scale)
        << describe(p) << " id " << id;
    EXPECT_EQ(run.rec.flags, alone.rec.flags);
  }
}

template <class T>
void lanes_equal_alone_everywhere() {
  // More trajectories than lanes, so ended lanes are loaded again mid-run.
  const auto count = static_cast<std::uint32_t>(2 * ModelALanes<T>::kTrajectories + 3);
  Tally tally;
  // "At rest" is |Delta| < stuck_tol |w*|. Near rest Delta is a sum of O(1) terms that cancel,
  // so its rounding noise is about eps relative to 1: float resolves 1e-4 but not 1e-6 (with
  // 1e-6, lanes and the one-trajectory step came to rest at different steps in 1.1% of the
  // float trajectories under -O2).
  const double stuck_tol = std::is_same_v<T, float> ? 1e-4 : 1e-6;
  for (const auto& [n, d] : std::vector<std::pair<int, int>>{
           {1, 1}, {3, 2}, {10, 2}, {20, 3}, {37, 5}, {100, 5}, {24, 16}}) {
    for (Regularizer reg : {Regularizer::none, Regularizer::l2, Regularizer::l1sq, Regularizer::l1})
      for (Convention conv : {Convention::descent, Convention::as_printed}) {
        if (reg == Regularizer::none && conv == Convention::as_printed) continue;
        ModelAParams p = cell(n, d, stuck_tol);
        p.regularizer = reg;
        p.convention = conv;
        p.lambda = reg == Regularizer::none ? 0.0 : 0.05;
        expect_lanes_equal_alone<T>(p, count, tally);
      }
    ModelAParams p = cell(n, d, stuck_tol);
    p.regularizer = Regularizer::l2;
    p.lambda = 0.01;
    for (Criterion c : {Criterion::loss, Criterion::angle}) {
      p.criterion = c;
      p.tol = c == Criterion::angle ? 0.05 : 1e-4;
      expect_lanes_equal_alone<T>(p, count, tally);
    }
    p.early_stop = false;  // steps to converge go back to -1 when a lane leaves the criterion
    p.max_steps = 150;
    p.criterion = Criterion::loss;
    p.tol = 1e-4;
    expect_lanes_equal_alone<T>(p, count, tally);
    p.criterion = Criterion::distance;
    p.tol = 1e-3;
    expect_lanes_equal_alone<T>(p, count, tally);
    p.early_stop = true;
    p.eta = 40.0;  // diverges
    p.max_steps = 400;
    expect_lanes_equal_alone<T>(p, count, tally);
  }
  // Every way of ending occurred, so every branch of the screen was passed through.
  for (Outcome o :
       {Outcome::converged, Outcome::diverged, Outcome::dead, Outcome::stuck, Outcome::undecided})
    EXPECT_GT(tally.seen[o], 0) << to_string(o);
  // Last-ulp differences move only trajectories on the edge of a test.
  EXPECT_LE(tally.steps_differ * 100, tally.compared)
      << tally.steps_differ << " of " << tally.compared << " ended at another step";
  std::printf("%d of %d trajectories ended at another step than alone\n", tally.steps_differ,
              tally.compared);
}

/// The screen's bounds: x < round_up<T>(b) is (double)x < b, and x <= round_down<T>(b) is
/// (double)x <= b, for T values x around b (the T values next to it, b itself when T holds it).
template <class T>
void expect_rounded_bounds_exact() {
  std::vector<double> bounds = {0.0,
                                1.0,
                                0.1,
                                1e-300,
                                1e-45,
                                3.0e38,
                                1e300,
                                static_cast<double>(std::numeric_limits<T>::max()),
                                static_cast<double>(std::numeric_limits<T>::denorm_min())};
  std::uint64_t state = 12345;
  for (int k = 0; k < 2000; ++k) {  // doubles of every size T can hold
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    bounds.push_back(std::ldexp(static_cast<double>(state >> 11) / 9007199254740992.0,
                                static_cast<int>(state % 200) - 100));
  }
  const T inf = std::numeric_limits<T>::infinity();
  for (double b : bounds) {
    const T up = round_up<T>(b), down = round_down<T>(b);
    EXPECT_GE(static_cast<double>(up), b);
    EXPECT_LE(static_cast<double>(down), b);
    const T near = b > static_cast<double>(std::numeric_limits<T>::max())
                       ? std::numeric_limits<T>::max()
                       : static_cast<T>(b);
    T x = near;
    for (int s = 0; s < 3; ++s)
      x = std::nextafter(x, T(0));
    for (int s = 0; s < 7; ++s, x = std::nextafter(x, inf)) {
      EXPECT_EQ(x < up, static_cast<double>(x) < b) << b << " " << x;
      EXPECT_EQ(x <= down, static_cast<double>(x) <= b) << b << " " << x;
    }
    const T nan = std::numeric_limits<T>::quiet_NaN();
    EXPECT_FALSE(nan < up);
    EXPECT_FALSE(nan <= down);
    EXPECT_EQ(inf < up, false);
    EXPECT_EQ(inf <= down, static_cast<double>(inf) <= b);
  }
}

TEST(ModelALanes, TheScreensBoundsAreClassifysTestsInT) {
  expect_rounded_bounds_exact<double>();
  expect_rounded_bounds_exact<float>();
}

TEST(ModelALanes, EachLaneIsItsTrajectoryAloneInDouble) {
  lanes_equal_alone_everywhere<double>();
}

TEST(ModelALanes, EachLaneIsItsTrajectoryAloneInFloat) {
  lanes_equal_alone_everywhere<float>();
}

TEST(ModelALanes, ATrajectoryDoesNotDependOnItsNeighbours) {
  ModelAParams p = cell(10, 3);
  p.regularizer = Regularizer::l1sq;
  p.lambda = 0.02;
  std::vector<std::uint32_t> forward(40), backward(40);
  for (std::uint32_t i = 0; i < 40; ++i) {
    forward[i] = i;
    backward[i] = 39 - i;
  }
  const auto a = run_lanes<double>(p, forward);
  const auto b = run_lanes<double>(p, backward);
  const auto c = run_lanes<double>(p, {23});
  ASSERT_EQ(a.size(), 40u);
  ASSERT_EQ(b.size(), 40u);
  for (std::uint32_t i = 0; i < 40; ++i)
    expect_same(a.at(i), b.at(i), "backward");
  expect_same(a.at(23), c.at(23), "alone");
}

/// Records the slots and weights of every step it sees.
struct StepLog {
  static constexpr bool enabled = true;
  std::vector<std::vector<double>> rows;
  template <class T>
  void on_step(std::int64_t t, const TrajectoryRecord& rec, const T* w, int n) {
    std::vector<double> row{static_cast<double>(t)};
    for (int s = 0; s < kRecordSlots; ++s)
      row.push_back(rec.slot[s]);
    for (int j = 0; j < n; ++j)
      row.push_back(static_cast<double>(w[j]));
    rows.push_back(row);
  }
};

TEST(ModelALanes, TheObserverSeesEveryStepOfTheLaneForm) {
  // run_cpu_trajectory on a serial team (the trace command) runs these cells in the lane form,
  // so a traced trajectory is the one a run reports; each step it shows is, to rounding, the
  // one-trajectory step's.
  ModelAParams p = cell(20, 3);
  p.regularizer = Regularizer::l2;
  p.lambda = 0.01;
  ASSERT_TRUE(ModelHost<ModelA>::lanes_eligible(p));
  std::vector<double> scratch(static_cast<std::size_t>(ModelA::workspace_size(p, 1)));
  StepLog lanes, alone;
  SerialTeam team;
  std::vector<double> wl(3), wa(3);
  const TrajectoryRecord rl =
      run_cpu_trajectory<ModelA, double>(team, p, 4, scratch.data(), &lanes, wl.data());
  const TrajectoryRecord ra =
      run_team_trajectory<ModelA, double>(team, p, 4, scratch.data(), &alone, wa.data());
  const LaneRun run = run_lanes<double>(p, {4}).at(4);
  EXPECT_EQ(rl.steps, run.rec.steps);
  EXPECT_EQ(wl, run.w);
  ASSERT_EQ(rl.steps, ra.steps);
  ASSERT_EQ(lanes.rows.size(), static_cast<std::size_t>(rl.steps + 1));
  ASSERT_EQ(lanes.rows.size(), alone.rows.size());
  for (std::size_t t = 0; t < lanes.rows.size(); ++t) {
    ASSERT_EQ(lanes.rows[t].size(), alone.rows[t].size());
    EXPECT_EQ(lanes.rows[t][0], static_cast<double>(t));
    for (std::size_t c = 1; c < lanes.rows[t].size(); ++c)
      EXPECT_NEAR(lanes.rows[t][c], alone.rows[t][c],
                  1e-12 * std::max(1.0, std::fabs(alone.rows[t][c])))
          << "step " << t << " column " << c;
  }
  for (int j = 0; j < 3; ++j)
    EXPECT_EQ(lanes.rows.back()[1 + kRecordSlots + j], wl[j]);  // the last step seen is the end
}

TEST(ModelALanes, TheCpuBackendGivesTheSameRecordsOnAnyThreadCount) {
  CellConfig c;
  c.n_samples = 10;
  c.d = 2;
  c.of<ModelACell>().regularizer = Regularizer::l1;
  c.of<ModelACell>().lambda = 0.01;
  c.trials = 61;
  c.steps = 2000;
  c.seed = 3;
  std::vector<BatchResult> runs;
  for (int threads : {1, 2, 3})
    runs.push_back(
        make_cpu_backend(threads)->run({&c, 0, static_cast<std::uint32_t>(c.trials), true, true}));
  const ModelAParams p = ModelHost<ModelA>::resolve(c);
  ASSERT_TRUE(ModelHost<ModelA>::lanes_eligible(p));
  for (std::size_t r = 1; r < runs.size(); ++r) {
    ASSERT_EQ(runs[r].records.size(), runs[0].records.size());
    for (std::size_t k = 0; k < runs[0].records.size(); ++k) {
      EXPECT_EQ(runs[r].records[k].id, runs[0].records[k].id);
      EXPECT_EQ(runs[r].records[k].steps, runs[0].records[k].steps);
      EXPECT_EQ(runs[r].records[k].outcome, runs[0].records[k].outcome);
    }
    EXPECT_EQ(runs[r].final_weights, runs[0].final_weights);
  }
  // And each record is its trajectory in lanes of its own.
  for (std::uint32_t k : {0u, 30u, 60u}) {
    const LaneRun a = run_lanes<double>(p, {k}).at(k);
    EXPECT_EQ(a.rec.steps, runs[0].records[k].steps);
    EXPECT_EQ(a.w[0], runs[0].final_weights[2 * k]);
    EXPECT_EQ(a.w[1], runs[0].final_weights[2 * k + 1]);
  }
}

}  // namespace
}  // namespace relusim

#endif
