// Throughput of the Model A step on the CPU, in trajectory-steps per second (items/s).
// Run: build/bench/relusim_bench [--benchmark_filter=...]
//
// BM_NaiveFixedStep is the baseline in the same process: the textbook two-pass step
// (z = Xw, then g = X^T D(w)(u - v)) in plain loops. Compare the fixed-mode cases with it.
// BM_FixedTargets prices a trajectory's target in the same run's steps (BM_StepDouble).
#include <benchmark/benchmark.h>

#include <vector>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/models/registry.hpp"
#include "relusim/models/a/dynamics.hpp"

namespace relusim {
namespace {

ModelAParams bench_params(DataMode mode, int n, int d) {
  ModelAParams p;
  p.mode = mode;
  p.n_samples = n;
  p.batch = n;
  p.d = d;
  p.teacher = TeacherKind::random;
  p.init = InitKind::gaussian;
  p.init_sigma = 0.5;
  p.regularizer = Regularizer::l2;
  p.lambda = 1e-3;
  return p;
}

/// Evaluate-and-update steps of one trajectory (what model_a_run does per step).
template <class T>
void step_benchmark(benchmark::State& state, DataMode mode) {
  const int n = static_cast<int>(state.range(0)), d = static_cast<int>(state.range(1));
  const ModelAParams p = bench_params(mode, n, d);
  std::vector<T> scratch(static_cast<std::size_t>(model_a_workspace_size(p, 1)));
  SerialTeam team;
  const auto ws = model_a_workspace<T>(p, 1, scratch.data());
  model_a_setup(team, p, 0, ws);
  std::int64_t t = 0;
  const T ss = team_dot(team, ws.w_star, ws.w_star, p.d);
  for (auto _ : state) {
    const Evaluation<T> e = model_a_evaluate(team, p, 0, t++, ws, ss);
    benchmark::DoNotOptimize(e.loss);
    for (int j = 0; j < d; ++j)
      ws.w[j] += static_cast<T>(1e-6) * ws.delta[j];  // tiny steps: same work
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["N*d"] = static_cast<double>(n) * d;
}

void BM_StepDouble(benchmark::State& state, DataMode mode) {
  step_benchmark<double>(state, mode);
}
void BM_StepFloat(benchmark::State& state, DataMode mode) {
  step_benchmark<float>(state, mode);
}

void BM_NaiveFixedStep(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0)), d = static_cast<int>(state.range(1));
  const ModelAParams p = bench_params(DataMode::fixed, n, d);
  std::vector<double> scratch(static_cast<std::size_t>(model_a_workspace_size(p, 1)));
  SerialTeam team;
  const auto ws = model_a_workspace<double>(p, 1, scratch.data());
  model_a_setup(team, p, 0, ws);
  std::vector<double> x(static_cast<std::size_t>(n) * d);  // the textbook row-major design
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j)
      x[static_cast<std::size_t>(i * d + j)] = ws.x[j * model_a_ld(p) + i];
  std::vector<double> z(static_cast<std::size_t>(n)), g(static_cast<std::size_t>(d));
  for (auto _ : state) {
    for (int i = 0; i < n; ++i) {
      double s = 0;
      for (int j = 0; j < d; ++j)
        s += x[static_cast<std::size_t>(i * d + j)] * ws.w[j];
      z[static_cast<std::size_t>(i)] = s;
    }
    for (int j = 0; j < d; ++j) {
      double s = 0;
      for (int i = 0; i < n; ++i)
        if (z[static_cast<std::size_t>(i)] > 0)
          s += x[static_cast<std::size_t>(i * d + j)] * (ws.u[i] - z[static_cast<std::size_t>(i)]);
      g[static_cast<std::size_t>(j)] = s / n - p.lambda * ws.w[j];
    }
    for (int j = 0; j < d; ++j)
      ws.w[j] += 1e-6 * g[static_cast<std::size_t>(j)];
    benchmark::DoNotOptimize(g.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["N*d"] = static_cast<double>(n) * d;
}

/// Fixed-design targets (batched_targets.hpp on OpenBLAS, or on the plain-loop oracle when
/// `oracle`): `batch` designs at a time, items = trajectories. Compare with BM_StepDouble at the
/// same shape to see what a target costs in trajectory-steps.
void BM_FixedTargets(benchmark::State& state, bool oracle) {
  const int n = static_cast<int>(state.range(0)), d = static_cast<int>(state.range(1));
  const int batch = static_cast<int>(state.range(2));
  const ModelAParams p = bench_params(DataMode::fixed, n, d);
  std::vector<double> x, w_star;
  for (int k = 0; k < batch; ++k) {
    std::vector<double> scratch(static_cast<std::size_t>(model_a_workspace_size(p, 1)));
    SerialTeam team;
    const auto ws = model_a_workspace<double>(p, 1, scratch.data());
    model_a_setup(team, p, static_cast<std::uint32_t>(k), ws);
    x.insert(x.end(), ws.x, ws.x + static_cast<std::ptrdiff_t>(model_a_ld(p)) * d);
    w_star.insert(w_star.end(), ws.w_star, ws.w_star + d);
  }
  const std::vector<std::uint32_t> param_of(static_cast<std::size_t>(batch), 0);
  for (auto _ : state) {
    const auto t = fixed_mode_targets_colmajor(&p, param_of.data(), batch, x.data(), model_a_ld(p),
                                               w_star.data(), oracle);
    benchmark::DoNotOptimize(t.data());
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["N*d"] = static_cast<double>(n) * d;
}

/// End to end on the CPU backend: one Kong-grid-like cell, all threads; items = steps taken.
void BM_CpuBackendKongCell(benchmark::State& state) {
  CellConfig c;
  c.n_samples = static_cast<int>(state.range(0));
  c.d = static_cast<int>(state.range(1));
  c.of<ModelACell>().regularizer = Regularizer::l2;
  c.of<ModelACell>().lambda = 0.01;
  c.trials = 256;
  auto backend = make_cpu_backend(0);
  std::int64_t steps = 0;
  for (auto _ : state) {
    const BatchResult r = backend->run({&c, 0, 256});
    for (const auto& rec : r.records)
      steps += rec.steps + 1;
  }
  state.SetItemsProcessed(steps);
  state.counters["N*d"] = static_cast<double>(c.n_samples) * c.d;
}

/// Normals per second: the scalar path (cuRAND's double Box-Muller with libm, one pair at a
/// time, as Model A/B drew before) against the vector path every stream uses now
/// (fill_random_columns: normal_pair_arithmetic, rows innermost). Items = normals.
void BM_NormalsScalarCurand(benchmark::State& state) {
  const int rows = 4096, n = 8;
  std::vector<double> out(static_cast<std::size_t>(rows) * n);
  std::uint64_t row0 = 0;
  for (auto _ : state) {
    for (int i = 0; i < rows; ++i)
      for (int c = 0; c < n / 2; ++c) {
        const DrawPair v =
            normal_pair({1, 0, StreamPurpose::minibatch, row0 + i, static_cast<std::uint32_t>(c)});
        out[static_cast<std::size_t>(2 * c) * rows + i] = v.x;
        out[static_cast<std::size_t>(2 * c + 1) * rows + i] = v.y;
      }
    row0 += rows;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * rows * n);
}
void BM_NormalsVector(benchmark::State& state) {
  const int rows = 4096, n = 8;
  std::vector<double> out(static_cast<std::size_t>(rows) * n);
  std::uint64_t row0 = 0;
  for (auto _ : state) {
    fill_random_columns(1, 0, StreamPurpose::minibatch, row0, 0, 1, rows,
                        InputDistribution::gaussian, n, out.data(), rows);
    row0 += rows;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * rows * n);
}
BENCHMARK(BM_NormalsScalarCurand);
BENCHMARK(BM_NormalsVector);

/// (N, d) shapes: Kong's smallest and largest cells, a mid size, and the GPU reference shape.
void fixed_shapes(benchmark::internal::Benchmark* b) {
  for (auto [n, d] :
       {std::pair{10, 2}, std::pair{100, 5}, std::pair{1000, 50}, std::pair{4096, 256}})
    b->Args({n, d});
}

BENCHMARK(BM_NaiveFixedStep)->Apply(fixed_shapes);
BENCHMARK_CAPTURE(BM_StepDouble, fixed_double, DataMode::fixed)->Apply(fixed_shapes);
BENCHMARK_CAPTURE(BM_StepFloat, fixed_float, DataMode::fixed)->Apply(fixed_shapes);
BENCHMARK_CAPTURE(BM_StepDouble, online_double, DataMode::online)->Args({32, 5})->Args({256, 50});
BENCHMARK_CAPTURE(BM_StepFloat, online_float, DataMode::online)->Args({32, 5})->Args({256, 50});
BENCHMARK_CAPTURE(BM_StepDouble, expected_double, DataMode::expected)->Args({1, 5})->Args({1, 256});
BENCHMARK_CAPTURE(BM_StepFloat, expected_float, DataMode::expected)->Args({1, 5})->Args({1, 256});
BENCHMARK_CAPTURE(BM_FixedTargets, openblas, false)
    ->Args({10, 2, 1})
    ->Args({100, 5, 1})
    ->Args({100, 5, 64})
    ->Args({1000, 50, 1})
    ->Args({4096, 256, 1})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_FixedTargets, oracle, true)
    ->Args({100, 5, 1})
    ->Args({1000, 50, 1})
    ->Args({4096, 256, 1})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CpuBackendKongCell)->Args({10, 2})->Args({100, 5})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace relusim
