// The conformance suite, a type-parameterised GoogleTest suite over a model (DESIGN.md "Models
// behind one seam"): the registry reaches the model by name; the threaded team (the
// block-parallel algorithm) equals the serial team; a trajectory replayed alone by its id equals
// the same trajectory in a batch; summaries are byte-identical for any thread count and batch
// size; a group run in waves by a CPU executor equals the CPU backend. test_conformance.cpp
// instantiates it for the list's models, tests/toy for the test-only model; a model supplies
// testing::conformance_cells<M>(). (GPU == CPU, typed the same way, is in test_gpu.cpp.)
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "conformance_cases.hpp"
#include "relusim/core/team_threaded.hpp"
#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/engine/waves.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/registry.hpp"
#include "team_runner.hpp"
#include "test_helpers.hpp"

namespace relusim::conformance {

template <class M>
class Conformance : public ::testing::Test {};
TYPED_TEST_SUITE_P(Conformance);

TYPED_TEST_P(Conformance, TheRegistryReachesItByName) {
  // The registry knows the model by its name: the entry carries its registration, model_names()
  // lists it once, and with_model reaches the type when the model is on the list.
  const std::string name = TypeParam::kName;
  const ModelEntry& entry = model_entry(name);
  EXPECT_EQ(entry.info, &ModelHost<TypeParam>::info());
  EXPECT_EQ(model_info(name).name, name);
  const std::vector<std::string> names = model_names();
  EXPECT_EQ(std::count(names.begin(), names.end(), name), 1);
  EXPECT_TRUE(ModelContract<TypeParam>);
  if (entry.built_in)
    EXPECT_TRUE(with_model(
        name, [](auto tag) { return std::is_same_v<typename decltype(tag)::type, TypeParam>; }));
  else
    EXPECT_THROW(with_model(name, [](auto) { return 0; }), ConfigError);
}

/// A wave model's counterpart of the team test: a wave of many trajectories (of several cells of
/// one shape) gives each trajectory exactly what it gives alone.
template <class M>
void expect_wave_equals_trajectories_alone() {
  std::vector<typename M::Params> params;
  for (const CellConfig& c : testing::conformance_cells<M>())
    if (c.precision == Precision::f64 && c.mode == DataMode::online)
      params.push_back(ModelHost<M>::resolve(c));
  ASSERT_GE(params.size(), 3u);
  std::vector<std::uint32_t> param_of, ids;
  for (std::uint32_t k = 0; k < 9; ++k) {
    param_of.push_back(k % 3);
    ids.push_back(3 * k + 1);
  }
  const std::size_t nw = static_cast<std::size_t>(M::weight_count(params[0]));
  std::vector<double> wave_w(ids.size() * nw);
  const auto wave = ModelHost<M>::template run_wave<double>(params, param_of, ids, wave_w.data());
  for (std::size_t k = 0; k < ids.size(); ++k) {
    std::vector<double> alone_w(nw);
    const auto alone = ModelHost<M>::template run_wave<double>({params[param_of[k]]}, {0}, {ids[k]},
                                                               alone_w.data());
    SCOPED_TRACE("trajectory " + std::to_string(k));
    EXPECT_EQ(alone[0].outcome, wave[k].outcome);
    EXPECT_EQ(alone[0].steps, wave[k].steps);
    EXPECT_EQ(alone[0].flags, wave[k].flags);
    for (int s = 0; s < kRecordSlots; ++s)  // a slot may hold NaN (nothing to say)
      EXPECT_TRUE(alone[0].slot[s] == wave[k].slot[s] ||
                  (std::isnan(alone[0].slot[s]) && std::isnan(wave[k].slot[s])))
          << "slot " << s << ": " << alone[0].slot[s] << " alone, " << wave[k].slot[s]
          << " in a wave";
    for (std::size_t j = 0; j < nw; ++j)
      ASSERT_EQ(alone_w[j], wave_w[k * nw + j]);
  }
}

TYPED_TEST_P(Conformance, ThreadedTeamMatchesSerialTeam) {
  using M = TypeParam;
  if constexpr (WaveModel<M>) {
    expect_wave_equals_trajectories_alone<M>();
  } else {
    int compared = 0;
    for (CellConfig cell : testing::conformance_cells<M>()) {
      if (cell.precision != Precision::f64) continue;
      cell.steps = 400;
      const typename M::Params p = ModelHost<M>::resolve(cell);
      for (int size : {3, 4, 32}) {  // 32: the warp team's emulation
        for (std::uint32_t id = 0; id < (size == 32 ? 1u : 3u); ++id) {
          std::vector<double> ws, wt;
          const TrajectoryRecord s = testing::run_on_team<M, double>(p, id, 1, ws);
          const TrajectoryRecord t = testing::run_on_team<M, double>(p, id, size, wt);
          SCOPED_TRACE(to_string(cell.mode) + " team " + std::to_string(size) + " id " +
                       std::to_string(id));
          EXPECT_EQ(s.outcome, t.outcome);
          EXPECT_EQ(s.steps, t.steps);
          EXPECT_EQ(s.flags, t.flags);
          // The reductions sum in another order: weights agree to rounding.
          EXPECT_LE(testing::distance(ws, wt), 1e-12 * std::max(testing::norm(ws), 1e-300));
          ++compared;
        }
      }
    }
    EXPECT_GE(compared, 21);
  }
}

TYPED_TEST_P(Conformance, ATrajectoryReplaysAloneByItsId) {
  using M = TypeParam;
  auto backend = make_cpu_backend(2);
  for (const CellConfig& cell : testing::conformance_cells<M>()) {
    const BatchResult all = backend->run({&cell, 0, 40, true, true});
    const auto n = static_cast<std::size_t>(M::weight_count(ModelHost<M>::resolve(cell)));
    for (std::uint32_t id : {0u, 17u, 39u}) {
      const BatchResult one = backend->run({&cell, id, 1, true, true});
      EXPECT_EQ(one.records[0].outcome, all.records[id].outcome);
      EXPECT_EQ(one.records[0].steps, all.records[id].steps);
      for (std::size_t j = 0; j < n; ++j)
        EXPECT_EQ(one.final_weights[j], all.final_weights[id * n + j]);
    }
  }
}

TYPED_TEST_P(Conformance, SummariesAreByteIdenticalForAnyThreadCountAndBatchSize) {
  using M = TypeParam;
  const std::vector<CellConfig> cells = testing::conformance_cells<M>();
  const std::string reference = summary_csv(cells, testing::run_cells(cells, 1, 4096));
  EXPECT_EQ(summary_csv(cells, testing::run_cells(cells, 2, 4096)), reference);
  EXPECT_EQ(summary_csv(cells, testing::run_cells(cells, 2, 7)), reference);
  EXPECT_EQ(summary_csv(cells, testing::run_cells(cells, 1, 13)), reference);
  const std::string traj = trajectories_csv(cells, testing::run_cells(cells, 1, 4096, true));
  EXPECT_EQ(trajectories_csv(cells, testing::run_cells(cells, 2, 5, true)), traj);
}

TYPED_TEST_P(Conformance, AGroupRunInWavesOfAnySizeGivesWhatTheCpuBackendGives) {
  using M = TypeParam;
  // Three double-precision cells (the executor below runs double); one launch shape would need
  // equal shapes, but the wave loop does not care.
  std::vector<CellConfig> cells;
  for (const CellConfig& c : testing::conformance_cells<M>())
    if (c.precision == Precision::f64 && cells.size() < 3) cells.push_back(c);
  const int n_weights = M::weight_count(ModelHost<M>::resolve(cells[0]));
  for (const CellConfig& c : cells)
    ASSERT_EQ(M::weight_count(ModelHost<M>::resolve(c)), n_weights);
  // Uneven batches, not starting at id 0; records and weights asked for by some only.
  const std::vector<TrajectoryBatch> batches = {{&cells[0], 5, 13, true, false},
                                                {&cells[1], 0, 1, false, true},
                                                {&cells[2], 11, 20, true, true}};
  const auto nw = static_cast<std::size_t>(n_weights);
  std::vector<BatchResult> cpu;
  for (const TrajectoryBatch& b : batches)
    cpu.push_back(make_cpu_backend(2)->run(b));
  for (std::int64_t wave : {1, 7, 33, 34, 100}) {
    auto exec = [&](const LaunchItem* items, const std::uint32_t*, std::size_t n) {
      WaveOutput w;
      w.records.resize(n);
      w.final_weights.resize(n * nw);
      if constexpr (WaveModel<M>) {
        // The whole wave at once, as the GPU steps it.
        std::vector<typename M::Params> params;
        for (const TrajectoryBatch& b : batches)
          params.push_back(ModelHost<M>::resolve(*b.cell));
        std::vector<std::uint32_t> param_of(n), ids(n);
        for (std::size_t k = 0; k < n; ++k) {
          param_of[k] = items[k].param;
          ids[k] = items[k].id;
        }
        w.records =
            ModelHost<M>::template run_wave<double>(params, param_of, ids, w.final_weights.data());
      } else {
        for (std::size_t k = 0; k < n; ++k) {
          const typename M::Params p = ModelHost<M>::resolve(*batches[items[k].param].cell);
          std::vector<double> scratch(static_cast<std::size_t>(M::workspace_size(p, 1)));
          SerialTeam team;
          w.records[k] = run_cpu_trajectory<M, double>(team, p, items[k].id, scratch.data(),
                                                       static_cast<NoObserver*>(nullptr),
                                                       w.final_weights.data() + nw * k);
        }
      }
      return w;
    };
    const auto got = run_in_waves(batches, n_weights, wave, exec);
    ASSERT_EQ(got.size(), cpu.size());
    for (std::size_t b = 0; b < got.size(); ++b) {
      SCOPED_TRACE("wave " + std::to_string(wave) + " batch " + std::to_string(b));
      EXPECT_EQ(got[b].tally.trials, batches[b].count);
      // The same records added in the same order: the same bits, whatever the wave size.
      testing::expect_same_tally(got[b].tally, cpu[b].tally, 0.0);
      ASSERT_EQ(got[b].records.size(), cpu[b].records.size());
      for (std::size_t k = 0; k < got[b].records.size(); ++k) {
        EXPECT_EQ(got[b].records[k].id, cpu[b].records[k].id);
        EXPECT_EQ(got[b].records[k].steps, cpu[b].records[k].steps);
        EXPECT_EQ(got[b].records[k].outcome, cpu[b].records[k].outcome);
      }
      EXPECT_EQ(got[b].final_weights, cpu[b].final_weights);
    }
  }
}

REGISTER_TYPED_TEST_SUITE_P(Conformance, TheRegistryReachesItByName, ThreadedTeamMatchesSerialTeam,
                            ATrajectoryReplaysAloneByItsId,
                            SummariesAreByteIdenticalForAnyThreadCountAndBatchSize,
                            AGroupRunInWavesOfAnySizeGivesWhatTheCpuBackendGives);

}  // namespace relusim::conformance
