// Throughput of the Model B step on the CPU, in trajectory-steps per second (items/s): one
// evaluation (pair pass, update direction, matching) and one update, K = 5 units at d = 5 and
// d = 100, in every data mode and precision. BM_NaiveModelBFixedStep is the baseline in the same
// process: the textbook step (preactivations, residual, X^T-products per unit) in plain loops,
// without the matching. W4 is the committee workload of the end-to-end benchmarks: K = 5 in
// expected mode, 10^4 steps per trajectory, on the CPU backend with all threads.
#include <benchmark/benchmark.h>

#include <vector>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/models/registry.hpp"

namespace relusim {
namespace {

CellConfig bench_cell(DataMode mode, int d) {
  CellConfig c;
  set_parameter(c, "model", std::string("B"));
  c.of<ModelBCell>().K = 5;
  c.d = d;
  c.mode = mode;
  c.n_samples = 100;
  c.batch = 32;
  c.teacher = TeacherKind::random_orthonormal;
  return c;
}

template <class T>
void model_b_step(benchmark::State& state, DataMode mode) {
  const CellConfig cell = bench_cell(mode, static_cast<int>(state.range(0)));
  const ModelBParams p = resolve_model_b(cell);
  std::vector<T> scratch(static_cast<std::size_t>(ModelB::workspace_size(p, 1)));
  SerialTeam team;
  const auto ws = ModelB::carve<T>(p, 1, scratch.data());
  ModelB::setup(team, p, 0, ws);
  TrajectoryRecord rec;
  const auto start = ModelB::begin(team, p, ws, rec);
  std::int64_t t = 0;
  for (auto _ : state) {
    const auto e = ModelB::evaluate(team, p, 0, t++, ws, start);
    benchmark::DoNotOptimize(e.loss);
    for (int q = 0; q < p.K * p.d; ++q)
      ws.w[q] += static_cast<T>(1e-6) * ws.delta[q];  // tiny steps: same work
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["K*d"] = static_cast<double>(p.K) * p.d;
}

void BM_ModelBStepDouble(benchmark::State& state, DataMode mode) {
  model_b_step<double>(state, mode);
}
void BM_ModelBStepFloat(benchmark::State& state, DataMode mode) {
  model_b_step<float>(state, mode);
}

void BM_NaiveModelBFixedStep(benchmark::State& state) {
  const CellConfig cell = bench_cell(DataMode::fixed, static_cast<int>(state.range(0)));
  const ModelBParams p = resolve_model_b(cell);
  std::vector<double> scratch(static_cast<std::size_t>(ModelB::workspace_size(p, 1)));
  SerialTeam team;
  const auto ws = ModelB::carve<double>(p, 1, scratch.data());
  ModelB::setup(team, p, 0, ws);
  const int n = p.n_samples, K = p.K, d = p.d, ld = model_b_ld(p);
  std::vector<double> x(static_cast<std::size_t>(n * d));  // the textbook layout: row-major
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < d; ++k)
      x[static_cast<std::size_t>(i * d + k)] = ws.x[k * ld + i];
  std::vector<double> z(static_cast<std::size_t>(n * K)), r(static_cast<std::size_t>(n));
  std::vector<double> g(static_cast<std::size_t>(K * d));
  for (auto _ : state) {
    for (int i = 0; i < n; ++i) {
      double v = 0;
      for (int j = 0; j < K; ++j) {
        double s = 0;
        for (int k = 0; k < d; ++k)
          s += x[static_cast<std::size_t>(i * d + k)] * ws.w[j * d + k];
        z[static_cast<std::size_t>(i * K + j)] = s;
        v += s > 0 ? s : 0;
      }
      r[static_cast<std::size_t>(i)] = ws.u[i] - v;
    }
    for (int j = 0; j < K; ++j)
      for (int k = 0; k < d; ++k) {
        double s = 0;
        for (int i = 0; i < n; ++i)
          if (z[static_cast<std::size_t>(i * K + j)] > 0)
            s += r[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i * d + k)];
        g[static_cast<std::size_t>(j * d + k)] = s / n;
      }
    for (int q = 0; q < K * d; ++q)
      ws.w[q] += 1e-6 * g[static_cast<std::size_t>(q)];
    benchmark::DoNotOptimize(g.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["K*d"] = static_cast<double>(K) * d;
}

/// W4: K = 5, expected mode, 10^4 steps per trajectory (no early stop), 64 trajectories on the
/// CPU backend with all threads; items = trajectory-steps.
void BM_W4CommitteeExpected(benchmark::State& state) {
  CellConfig c = bench_cell(DataMode::expected, static_cast<int>(state.range(0)));
  c.steps = 10000;
  c.early_stop = false;
  c.trials = 64;
  auto backend = make_cpu_backend(0);
  std::int64_t steps = 0;
  for (auto _ : state) {
    const BatchResult r = backend->run({&c, 0, 64});
    for (const auto& rec : r.records)
      steps += rec.steps + 1;
  }
  state.SetItemsProcessed(steps);
}

BENCHMARK(BM_NaiveModelBFixedStep)->Arg(5)->Arg(100);
BENCHMARK_CAPTURE(BM_ModelBStepDouble, fixed_double, DataMode::fixed)->Arg(5)->Arg(100);
BENCHMARK_CAPTURE(BM_ModelBStepFloat, fixed_float, DataMode::fixed)->Arg(5)->Arg(100);
BENCHMARK_CAPTURE(BM_ModelBStepDouble, online_double, DataMode::online)->Arg(5)->Arg(100);
BENCHMARK_CAPTURE(BM_ModelBStepFloat, online_float, DataMode::online)->Arg(5)->Arg(100);
BENCHMARK_CAPTURE(BM_ModelBStepDouble, expected_double, DataMode::expected)->Arg(5)->Arg(100);
BENCHMARK_CAPTURE(BM_ModelBStepFloat, expected_float, DataMode::expected)->Arg(5)->Arg(100);
BENCHMARK(BM_W4CommitteeExpected)->Arg(5)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace relusim
BENCHMARK_MAIN();
