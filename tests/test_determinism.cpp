// Results depend on the seed; the plan cuts cells into batches and groups without changing them.
#include <set>

#include <gtest/gtest.h>

#include "relusim/io/report.hpp"
#include "conformance_cases.hpp"
#include "test_helpers.hpp"

namespace relusim {
namespace {

/// Model A in every mode and precision (the conformance suite's cells).
std::vector<CellConfig> small_grid() {
  return testing::conformance_cells<ModelA>();
}

// Byte-identical summaries across threads and batches, and replay by id, are in the
// conformance suite (test_conformance.cpp), typed over every model.

TEST(Determinism, SeedsChangeResults) {
  auto cells = small_grid();
  cells.resize(1);
  const auto a = testing::run_cells(cells, 1, 4096, true);
  cells[0].seed = 12;
  const auto b = testing::run_cells(cells, 1, 4096, true);
  int differ = 0;
  for (std::size_t i = 0; i < a[0].records.size(); ++i)
    differ += a[0].records[i].steps != b[0].records[i].steps;
  EXPECT_GT(differ, 40);
}

}  // namespace
}  // namespace relusim

namespace relusim {
namespace {

TEST(Plan, GroupsGatherBatchesOfOneShapeInOrder) {
  std::vector<CellConfig> cells;
  for (int d : {2, 3}) {
    for (double lambda : {0.0, 0.01, 0.1}) {
      CellConfig c;
      c.d = d;
      c.of<ModelACell>().regularizer = Regularizer::l2;
      c.of<ModelACell>().lambda = lambda;
      c.trials = 25;
      cells.push_back(c);
    }
  }
  cells[4].precision = Precision::f32;  // a shape of its own
  const SweepPlan plan = make_plan(cells, 60);
  EXPECT_EQ(plan.total_trajectories, 150);
  std::vector<int> seen(plan.batches.size(), 0);
  std::vector<std::uint32_t> next_id(cells.size(), 0);
  for (const LaunchGroup& g : plan.groups) {
    std::int64_t sum = 0;
    for (std::size_t b : g.batches) {
      const PlannedBatch& pb = plan.batches[b];
      ++seen[b];
      sum += pb.count;
      EXPECT_EQ(launch_shape(cells[pb.cell]), launch_shape(cells[plan.batches[g.batches[0]].cell]));
      EXPECT_EQ(pb.first_id, next_id[pb.cell]);  // a cell's batches run in id order
      next_id[pb.cell] += pb.count;
    }
    EXPECT_EQ(sum, g.trajectories);
    EXPECT_LE(g.trajectories, 60);
  }
  for (int s : seen)
    EXPECT_EQ(s, 1);
  for (std::size_t c = 0; c < cells.size(); ++c)
    EXPECT_EQ(next_id[c], 25u);
  // Cells of one shape share groups (two cells of 25 fit under the cap of 60).
  EXPECT_LT(plan.groups.size(), plan.batches.size());
}

TEST(Plan, AModelsOwnLaunchKeySplitsGroups) {
  // Model B's K and Model C's wave shape (batch, steps, diagnostics cadence, N in fixed mode) are
  // part of the launch shape: the plan, not the model's runner, keeps such cells apart.
  auto groups_of = [](const std::vector<CellConfig>& cells) {
    const SweepPlan plan = make_plan(cells, 1000);
    std::set<std::set<std::size_t>> out;
    for (const LaunchGroup& g : plan.groups) {
      std::set<std::size_t> members;
      for (std::size_t b : g.batches)
        members.insert(plan.batches[b].cell);
      out.insert(members);
    }
    return out;
  };
  std::vector<CellConfig> c(4);
  for (CellConfig& x : c) {
    set_parameter(x, "model", std::string("C"));
    x.trials = 5;
  }
  c[1].of<ModelCCell>().identity = false;  // the same wave shape as cell 0
  c[2].steps = 100;                        // another step budget
  c[3].of<ModelCCell>().diagnostics_every = 10;
  EXPECT_EQ(groups_of(c), (std::set<std::set<std::size_t>>{{0, 1}, {2}, {3}}));
  EXPECT_NE(launch_shape(c[0]), launch_shape(c[2]));
  std::vector<CellConfig> b(3);
  for (CellConfig& x : b) {
    set_parameter(x, "model", std::string("B"));
    x.d = 4;
    x.trials = 5;
  }
  b[1].eta = 0.2;  // not part of any shape
  b[2].of<ModelBCell>().K = 3;
  EXPECT_EQ(groups_of(b), (std::set<std::set<std::size_t>>{{0, 1}, {2}}));
}

TEST(Plan, TenMillionTrajectoriesCutIntoBoundedGroups) {
  // A sweep of 10^7 trajectories: the plan is a few hundred batches, and no group exceeds the
  // backend's preferred size (65,536 for the CUDA backend), which bounds every per-group buffer.
  std::vector<CellConfig> cells(3);
  cells[0].trials = 6'000'000;
  cells[1].trials = 3'999'999;
  cells[1].d = 5;
  cells[2].trials = 1;
  const SweepPlan plan = make_plan(cells, 1u << 16);
  EXPECT_EQ(plan.total_trajectories, 10'000'000);
  std::int64_t sum = 0;
  for (const LaunchGroup& g : plan.groups) {
    EXPECT_LE(g.trajectories, 1 << 16);
    sum += g.trajectories;
  }
  EXPECT_EQ(sum, 10'000'000);
  EXPECT_LE(plan.batches.size(), 10'000'000 / 65'536 + 3);
}

TEST(Plan, AHugeSweepIsCutIntoAtMostTwoToTheTwentyBatches) {
  // 100 cells of 4e9 trajectories: at 4096 a batch that would be 9.8e7 batches (gigabytes of
  // plan and results). The fitting cap is the least cap that gives at most 2^20 batches.
  std::vector<CellConfig> cells(100);
  for (CellConfig& c : cells)
    c.trials = 4'000'000'000;
  const auto batches = [&cells](std::uint64_t cap) {
    std::uint64_t n = 0;
    for (const CellConfig& c : cells)
      n += (static_cast<std::uint64_t>(c.trials) + cap - 1) / cap;
    return n;
  };
  const std::uint32_t cap = fitting_batch_cap(cells, 4096);
  EXPECT_LE(batches(cap), kMaxPlanBatches);
  EXPECT_GT(batches(cap - 1u), kMaxPlanBatches);  // the least such cap
  EXPECT_EQ(cap, 381'498u);                       // 10485 batches of it a cell, 1,048,500 in all
  EXPECT_EQ(make_plan(cells, cap).batches.size(), batches(cap));
  // A sweep that fits keeps the cap it asked for.
  std::vector<CellConfig> small(2);
  small[0].trials = small[1].trials = 1'000'000;
  EXPECT_EQ(fitting_batch_cap(small, 4096), 4096u);
}

TEST(Plan, CapsNearTwoToTheThirtyTwoCutEveryTrajectoryOnce) {
  // The cut counts in 64 bits: first + cap past 2^32 must end the cell, not wrap around.
  std::vector<CellConfig> cells(1);
  cells[0].trials = 4'000'000'000;
  const SweepPlan plan = make_plan(cells, 3'000'000'000u);
  ASSERT_EQ(plan.batches.size(), 2u);
  EXPECT_EQ(plan.batches[0].first_id, 0u);
  EXPECT_EQ(plan.batches[0].count, 3'000'000'000u);
  EXPECT_EQ(plan.batches[1].first_id, 3'000'000'000u);
  EXPECT_EQ(plan.batches[1].count, 1'000'000'000u);
}

TEST(Plan, GroupingDoesNotChangeResults) {
  std::vector<CellConfig> cells;
  for (double lambda : {0.0, 0.005, 0.02}) {
    CellConfig c;
    c.of<ModelACell>().regularizer = Regularizer::l1;
    c.of<ModelACell>().lambda = lambda;
    c.trials = 30;
    c.n_samples = 15;
    cells.push_back(c);
  }
  // One group of 90 against groups of at most 8 trajectories.
  EXPECT_EQ(summary_csv(cells, testing::run_cells(cells, 2, 90)),
            summary_csv(cells, testing::run_cells(cells, 2, 8)));
}

}  // namespace
}  // namespace relusim
