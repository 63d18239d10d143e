// Per-cell tallies: the driver's summaries from batch tallies equal counts taken by hand from the
// records. (The CUDA backend's wave loop, waves.hpp, driven by a CPU executor, is in the
// conformance suite.)
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/models/registry.hpp"
#include "relusim/engine/stats.hpp"
#include "relusim/engine/waves.hpp"
#include "test_helpers.hpp"

namespace relusim {
namespace {

TEST(Tally, SummariesFromBatchTalliesMatchCountsTakenFromTheRecords) {
  CellConfig c;
  c.n_samples = 20;
  c.d = 3;
  c.of<ModelACell>().regularizer = Regularizer::l2;
  c.of<ModelACell>().lambda = 0.01;
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

}  // namespace
}  // namespace relusim
