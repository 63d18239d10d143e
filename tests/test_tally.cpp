// Per-cell tallies: the driver's summaries from batch tallies equal counts taken by hand from the
// records; the CUDA backend's reduce_by_key (kernels/tally_reduce.cuh), run on Thrust's host
// system, equals sequential sums over runs of keys; and its wave loop (waves.hpp), driven by a
// CPU executor, gives what the CPU backend gives.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/models/registry.hpp"
#include "relusim/engine/stats.hpp"
#include "relusim/engine/waves.hpp"
#include "test_helpers.hpp"
#include "wave_reduce.hpp"

#ifdef RELUSIM_HAVE_THRUST
#include <thrust/execution_policy.h>

#include "tally_reduce.cuh"
#endif

namespace relusim {
namespace {

TEST(Tally, SummariesFromBatchTalliesMatchCountsTakenFromTheRecords) {
  CellConfig c;
  c.n_samples = 20;
  c.d = 3;
  c.regularizer = Regularizer::l2;
  c.lambda = 0.01;
  c.trials = 300;
  c.steps = 4000;
  c.seed = 4;
  // Small batches: the cell's tally is a sum of 10 batch tallies.
  const auto with_records = testing::run_cells({c}, 2, 30, true).front();
  const auto without = testing::run_cells({c}, 2, 30, false).front();
  ASSERT_EQ(with_records.records.size(), 300u);
  EXPECT_TRUE(without.records.empty());
  std::array<std::int64_t, kOutcomeCount> counts{};
  std::int64_t pd = 0, valid = 0, steps = 0;
  double distance = 0.0;
  for (const TrajectoryRecord& r : with_records.records) {
    ++counts[static_cast<std::size_t>(r.outcome)];
    pd += r.flag(ModelA::kPositiveDefinite) ? 1 : 0;
    valid += r.flag(ModelA::kTargetValid) ? 1 : 0;
    if (r.outcome == Outcome::converged) steps += r.steps_to_converge;
    distance += r.slot[ModelA::kDistance];
  }
  const CellSummary& s = without.summary;
  EXPECT_EQ(s.trials, 300);
  EXPECT_EQ(s.counts, counts);
  EXPECT_GT(counts[0], 0);
  EXPECT_DOUBLE_EQ(s.value("frac_positive_definite"), static_cast<double>(pd) / 300.0);
  EXPECT_DOUBLE_EQ(s.value("frac_target_valid"), static_cast<double>(valid) / 300.0);
  EXPECT_DOUBLE_EQ(s.value("mean_steps_to_converge"),
                   static_cast<double>(steps) / static_cast<double>(counts[0]));
  EXPECT_NEAR(s.value("mean_final_distance"), distance / 300.0,
              1e-12 * std::fabs(distance / 300.0));
}

TEST(Tally, ReduceByKeyOnThrustsHostSystemMatchesSequentialSums) {
#ifndef RELUSIM_HAVE_THRUST
  GTEST_SKIP() << "Thrust headers not found (built without the CUDA toolkit)";
#else
  std::mt19937 gen(3);
  std::vector<std::uint32_t> keys;
  std::vector<TrajectoryRecord> records;
  // Runs of keys of uneven lengths, including runs of one.
  for (std::uint32_t key = 0; key < 9; ++key) {
    const int length = key % 3 == 0 ? 1 : 50 + 37 * static_cast<int>(key);
    for (int i = 0; i < length; ++i) {
      TrajectoryRecord r;
      r.outcome = static_cast<Outcome>(gen() % kOutcomeCount);
      r.steps_to_converge = gen() % 1000;
      r.slot[ModelA::kDistance] = std::ldexp(static_cast<double>(gen() % 1000), -7);
      r.set_flag(ModelA::kStartedInOmega, gen() % 2 == 0);
      r.set_flag(ModelA::kDesignChecked, gen() % 4 != 0);
      r.set_flag(ModelA::kPositiveDefinite, gen() % 2 == 0);
      r.set_flag(ModelA::kWithinBound, gen() % 2 == 0);
      r.set_flag(ModelA::kTargetValid, gen() % 2 == 0);
      keys.push_back(key);
      records.push_back(r);
    }
  }
  std::vector<std::uint32_t> keys_out(keys.size());
  std::vector<CellTally> tallies(keys.size());
  const std::size_t runs = reduce_tallies_by_key(thrust::host, keys.data(), records.data(),
                                                 keys.size(), keys_out.data(), tallies.data());
  ASSERT_EQ(runs, 9u);
  for (std::uint32_t key = 0; key < 9; ++key) {
    EXPECT_EQ(keys_out[key], key);
    CellTally expect;
    for (std::size_t k = 0; k < keys.size(); ++k)
      if (keys[k] == key) expect = expect + tally_of(records[k]);
    testing::expect_same_tally(tallies[key], expect, 0.0);  // distances: multiples of 2^-7
  }
#endif
}

}  // namespace
}  // namespace relusim
