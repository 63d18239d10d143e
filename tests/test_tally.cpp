// Per-cell tallies: the driver's summaries from batch tallies equal counts taken by hand from the
// records, and the CUDA backend's reduce_by_key (kernels/tally_reduce.cuh), run on Thrust's host
// system, equals sequential sums over runs of keys.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "relusim/stats.hpp"
#include "test_helpers.hpp"

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
    ++counts[static_cast<std::size_t>(r.result.outcome)];
    pd += r.positive_definite ? 1 : 0;
    valid += r.target_valid ? 1 : 0;
    if (r.result.outcome == Outcome::converged) steps += r.result.steps_to_converge;
    distance += r.result.distance;
  }
  const CellSummary& s = without.summary;
  EXPECT_EQ(s.trials, 300);
  EXPECT_EQ(s.counts, counts);
  EXPECT_GT(counts[0], 0);
  EXPECT_DOUBLE_EQ(s.frac_positive_definite, static_cast<double>(pd) / 300.0);
  EXPECT_DOUBLE_EQ(s.frac_target_valid, static_cast<double>(valid) / 300.0);
  EXPECT_DOUBLE_EQ(s.mean_steps_to_converge,
                   static_cast<double>(steps) / static_cast<double>(counts[0]));
  EXPECT_NEAR(s.mean_final_distance, distance / 300.0, 1e-12 * std::fabs(distance / 300.0));
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
      r.result.outcome = static_cast<Outcome>(gen() % kOutcomeCount);
      r.result.steps_to_converge = gen() % 1000;
      r.result.distance = std::ldexp(static_cast<double>(gen() % 1000), -7);
      r.result.started_in_omega = gen() % 2 == 0;
      r.design_checked = gen() % 4 != 0;
      r.positive_definite = gen() % 2 == 0;
      r.lambda_within_bound = gen() % 2 == 0;
      r.target_valid = gen() % 2 == 0;
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
    const CellTally& got = tallies[key];
    EXPECT_EQ(got.trials, expect.trials);
    for (int o = 0; o < kOutcomeCount; ++o)
      EXPECT_EQ(got.counts[o], expect.counts[o]);
    EXPECT_EQ(got.in_omega, expect.in_omega);
    EXPECT_EQ(got.design_checked, expect.design_checked);
    EXPECT_EQ(got.positive_definite, expect.positive_definite);
    EXPECT_EQ(got.within_bound, expect.within_bound);
    EXPECT_EQ(got.target_valid, expect.target_valid);
    EXPECT_EQ(got.steps_to_converge_sum, expect.steps_to_converge_sum);
    EXPECT_EQ(got.distance_sum, expect.distance_sum);  // multiples of 2^-7: exact in any order
  }
#endif
}

}  // namespace
}  // namespace relusim
