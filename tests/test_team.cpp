// The teams' primitives (core/team.hpp) and what the block algorithm costs in barriers
// (engine/team_census.hpp): the fused reduction is one barrier round and sums in the CUDA
// teams' order; Model A's step takes two or three barriers and Model B's three, whatever the
// data mode (issue targets: A <= 3, A expected <= 2, B <= 5).
#include <gtest/gtest.h>

#include <cmath>
#include <mutex>
#include <vector>

#include "relusim/core/team_threaded.hpp"
#include "relusim/engine/team_census.hpp"
#include "relusim/models/a/model.hpp"
#include "relusim/models/b/model.hpp"
#include "relusim/models/registry.hpp"

namespace relusim {
namespace {

/// Values whose sum depends on the order of the additions (a large one cancels).
double tricky(int r) {
  return r == 5 ? 1e17 : (r == 21 ? -1e17 : 1.0 + 0.25 * r);
}

/// The sum of v over 32 lanes as __shfl_xor_sync's butterfly forms it in lane 0.
double butterfly(std::vector<double> v) {
  for (int off = 16; off > 0; off /= 2)
    for (int l = 0; l < off; ++l)
      v[static_cast<std::size_t>(l)] += v[static_cast<std::size_t>(l + off)];
  return v[0];
}

TEST(Team, AFusedReductionIsOneBarrierAndSumsInTheWarpOrder) {
  std::vector<double> v(32);
  for (int r = 0; r < 32; ++r)
    v[static_cast<std::size_t>(r)] = tricky(r);
  double rank_order = 0.0;
  for (double x : v)
    rank_order += x;
  const double expected = butterfly(v);
  ASSERT_NE(expected, rank_order);  // the test tells the two orders apart
  ThreadedTeam::Shared shared(32);
  std::mutex m;
  std::vector<double> got(32), got_second(32);
  std::vector<int> counts(32);
  std::vector<std::thread> threads;
  for (int r = 0; r < 32; ++r) {
    threads.emplace_back([&, r] {
      ThreadedTeam team(shared, r);
      double a[2] = {tricky(r), 2.0 * r};
      int c[1] = {r};
      team.reduce_sums(a, c);
      const double again = team.reduce_sum(tricky(31 - r));
      std::lock_guard lock(m);
      got[static_cast<std::size_t>(r)] = a[0];
      got_second[static_cast<std::size_t>(r)] = again;
      counts[static_cast<std::size_t>(r)] = c[0] + static_cast<int>(a[1]);
    });
  }
  for (std::thread& t : threads)
    t.join();
  std::vector<double> reversed(32);
  for (int r = 0; r < 32; ++r)
    reversed[static_cast<std::size_t>(r)] = tricky(31 - r);
  for (int r = 0; r < 32; ++r) {
    EXPECT_EQ(got[static_cast<std::size_t>(r)], expected) << r;
    EXPECT_EQ(got_second[static_cast<std::size_t>(r)], butterfly(reversed)) << r;
    EXPECT_EQ(counts[static_cast<std::size_t>(r)], 31 * 32 / 2 + 31 * 32) << r;
  }
  EXPECT_EQ(shared.reductions.load(), 2);
  EXPECT_EQ(shared.barriers.load(), 2);  // one round each, no trailing barrier
}

TEST(Team, WideTeamsAddTheWarpsInOrderAndOddSizesInRankOrder) {
  for (int size : {3, 64}) {
    ThreadedTeam::Shared shared(size);
    std::vector<double> got(static_cast<std::size_t>(size));
    std::vector<std::thread> threads;
    for (int r = 0; r < size; ++r)
      threads.emplace_back([&, r] {
        ThreadedTeam team(shared, r);
        double s = 0.0;
        for (int k = 0; k < 50; ++k)  // back to back: the two buffers alternate
          s = team.reduce_sum(tricky(r % 32) * (1 + k % 3));
        got[static_cast<std::size_t>(r)] = s;
      });
    for (std::thread& t : threads)
      t.join();
    double expected = 0.0;
    if (size == 64) {
      std::vector<double> lanes(32);
      for (int r = 0; r < 32; ++r)
        lanes[static_cast<std::size_t>(r)] = tricky(r) * (1 + 49 % 3);
      expected = butterfly(lanes) + butterfly(lanes);
    } else {
      for (int r = 0; r < size; ++r)
        expected += tricky(r) * (1 + 49 % 3);
    }
    for (double g : got)
      EXPECT_EQ(g, expected) << size;
    EXPECT_EQ(shared.barriers.load(), 50) << size;
  }
}

CellConfig cell(const std::string& model, DataMode mode, int n, int d) {
  CellConfig c;
  set_parameter(c, "model", model);
  c.mode = mode;
  c.n_samples = n;
  c.batch = n;
  c.d = d;
  return c;
}

template <class M>
TeamCensus census(const CellConfig& c, int size) {
  return team_census<M, double>(ModelHost<M>::resolve(c), size);
}

TEST(TeamCensus, ModelAStepsInTwoBarriersOrThreeWithLanes) {
  for (DataMode mode : {DataMode::fixed, DataMode::online}) {
    // d = 5 on 32 or 64 workers: lanes share a coordinate of X^T r (three rounds).
    for (int size : {32, 64}) {
      const TeamCensus c = census<ModelA>(cell("A", mode, 100, 5), size);
      ASSERT_TRUE(c.steady);
      EXPECT_EQ(c.barriers_per_step, 3.0) << to_string(mode) << " " << size;
      EXPECT_EQ(c.reductions_per_step, 2.0);
    }
    // d >= the team: one owner per coordinate (two rounds).
    const TeamCensus wide = census<ModelA>(cell("A", mode, 64, 40), 32);
    EXPECT_EQ(wide.barriers_per_step, 2.0) << to_string(mode);
    EXPECT_EQ(wide.reductions_per_step, 2.0);
  }
  for (int d : {5, 64}) {
    CellConfig c = cell("A", DataMode::expected, 1, d);
    set_parameter(c, "regularizer", std::string("l1sq"));
    set_parameter(c, "lambda", 0.01);
    const TeamCensus e = census<ModelA>(c, 32);
    EXPECT_EQ(e.barriers_per_step, 2.0) << d;
    EXPECT_EQ(e.reductions_per_step, 2.0);
  }
}

TEST(TeamCensus, ModelBStepsInThreeBarriers) {
  for (DataMode mode : {DataMode::fixed, DataMode::online, DataMode::expected}) {
    for (int size : {32, 64, 128}) {
      CellConfig c = cell("B", mode, 40, 5);
      c.of<ModelBCell>().K = 3;
      const TeamCensus b = census<ModelB>(c, size);
      ASSERT_TRUE(b.steady);
      EXPECT_EQ(b.barriers_per_step, 3.0) << to_string(mode) << " " << size;
      EXPECT_EQ(b.reductions_per_step, 1.0);
    }
  }
}

TEST(TeamCensus, TheRegistryCountsTeamModelsAndNotWaveModels) {
  const std::optional<TeamCensus> a = team_census_of(cell("A", DataMode::fixed, 100, 5));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->barriers_per_step, 3.0);
  EXPECT_FALSE(team_census_of(cell("C", DataMode::online, 10, 4)).has_value());
}

}  // namespace
}  // namespace relusim
