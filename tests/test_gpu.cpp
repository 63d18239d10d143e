// GPU against CPU on the same seeds. Skipped without a usable device; RELUSIM_REQUIRE_GPU=1 turns
// the skip into a failure (for GPU machines, so a broken driver cannot pass silently).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/models/registry.hpp"
#include "relusim/engine/cuda_backend.hpp"
#include "relusim/models/a/cuda_targets.hpp"
#include "relusim/engine/launch_rule.hpp"
#include "relusim/engine/stats.hpp"
#include "conformance_cases.hpp"
#include "test_helpers.hpp"

#ifdef RELUSIM_TEST_CUDA_CHECKS
#include <dlfcn.h>

#include "cuda_check.cuh"
#endif

namespace relusim {
namespace {

bool gpu_required() {
  const char* v = std::getenv("RELUSIM_REQUIRE_GPU");
  return v != nullptr && std::string(v) == "1";
}

#define RELUSIM_REQUIRE_DEVICE()                                         \
  do {                                                                   \
    std::string why;                                                     \
    if (!cuda_device_available(why)) {                                   \
      if (gpu_required()) FAIL() << "RELUSIM_REQUIRE_GPU=1 but " << why; \
      GTEST_SKIP() << why;                                               \
    }                                                                    \
  } while (0)

std::vector<CellConfig> comparison_cells(Precision precision) {
  std::vector<CellConfig> cells;
  for (DataMode mode : {DataMode::fixed, DataMode::online, DataMode::expected}) {
    for (auto [n, d] : {std::pair{10, 2}, std::pair{100, 5}, std::pair{600, 40}}) {
      for (Regularizer reg : {Regularizer::none, Regularizer::l2, Regularizer::l1sq}) {
        CellConfig c;
        c.mode = mode;
        c.n_samples = n;
        c.d = d;
        c.batch = std::min(n, 32);
        c.of<ModelACell>().regularizer = reg;
        c.of<ModelACell>().lambda = reg == Regularizer::none ? 0.0 : 0.001;
        c.of<ModelACell>().convention =
            reg == Regularizer::l1sq ? Convention::as_printed : Convention::descent;
        c.precision = precision;
        c.trials = mode == DataMode::fixed ? 400 : 100;
        c.steps = 5000;
        c.seed = 31;
        cells.push_back(c);
      }
    }
  }
  return cells;
}

/// Counts trajectories whose outcomes agree; where they do, the flags must agree and the final
/// weights (n per trajectory) must agree to 1e-6 relative, diverged ones aside.
void compare_trajectories(const BatchResult& g, const BatchResult& h, std::size_t count,
                          std::size_t n, std::int64_t& total, std::int64_t& same) {
  for (std::size_t k = 0; k < count; ++k) {
    ++total;
    if (g.records[k].outcome != h.records[k].outcome) continue;
    ++same;
    EXPECT_EQ(g.records[k].flags, h.records[k].flags) << "id " << k;
    double diff = 0, norm = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const double a = g.final_weights[k * n + j], b = h.final_weights[k * n + j];
      diff += (a - b) * (a - b);
      norm += b * b;
    }
    if (h.records[k].outcome != Outcome::diverged) {
      EXPECT_LE(std::sqrt(diff), 1e-6 * std::sqrt(norm) + 1e-300) << "id " << k;
    }
  }
}

/// Each cell's rate on the GPU lies inside the CPU's 95% Wilson interval and vice versa.
void expect_rates_agree(const std::vector<CellConfig>& cells, Backend& gpu) {
  const auto g = run_plan(make_plan(cells, 4096), gpu, DriverOptions{});
  const auto h = testing::run_cells(cells);
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const CellSummary& a = g[c].summary;
    const CellSummary& b = h[c].summary;
    EXPECT_TRUE(a.rate >= b.ci.lo && a.rate <= b.ci.hi && b.rate >= a.ci.lo && b.rate <= a.ci.hi)
        << "cell " << c << ": gpu " << a.rate << " cpu " << b.rate;
  }
}

TEST(Gpu, DoubleMatchesCpuTrajectoryByTrajectory) {
  RELUSIM_REQUIRE_DEVICE();
  auto gpu = make_cuda_backend();
  auto cpu = make_cpu_backend(0);
  std::int64_t total = 0, same = 0;
  for (const CellConfig& c : comparison_cells(Precision::f64)) {
    const auto count = static_cast<std::uint32_t>(c.trials);
    const BatchResult g = gpu->run({&c, 0, count, true, true});
    const BatchResult h = cpu->run({&c, 0, count, true, true});
    compare_trajectories(g, h, count, static_cast<std::size_t>(c.d), total, same);
  }
  EXPECT_GE(static_cast<double>(same) / static_cast<double>(total), 0.999);
}

/// GPU == CPU for every model behind the seam (conformance_cases.hpp), trajectory by trajectory
/// in double (outcomes equal for >= 99.9%; final weights within 1e-6 relative where they agree).
template <class M>
class GpuConformance : public ::testing::Test {};
using Models = testing::AllModels;  // the one list (models/list.hpp)
TYPED_TEST_SUITE(GpuConformance, Models);

TYPED_TEST(GpuConformance, DoubleMatchesCpuTrajectoryByTrajectory) {
  using M = TypeParam;
  RELUSIM_REQUIRE_DEVICE();
  auto gpu = make_cuda_backend();
  auto cpu = make_cpu_backend(0);
  std::int64_t total = 0, same = 0;
  for (CellConfig c : testing::conformance_cells<M>()) {
    if (c.precision != Precision::f64) continue;
    c.trials = 400;
    const auto n = static_cast<std::size_t>(M::weight_count(ModelHost<M>::resolve(c)));
    const BatchResult g = gpu->run({&c, 0, 400, true, true});
    const BatchResult h = cpu->run({&c, 0, 400, true, true});
    compare_trajectories(g, h, 400, n, total, same);
  }
  EXPECT_GE(static_cast<double>(same) / static_cast<double>(total), 0.999);
}

TYPED_TEST(GpuConformance, FloatRatesAgreeWithinWilsonIntervals) {
  using M = TypeParam;
  RELUSIM_REQUIRE_DEVICE();
  auto gpu = make_cuda_backend();
  std::vector<CellConfig> cells;
  for (CellConfig c : testing::conformance_cells<M>())
    if (c.precision == Precision::f32) {
      c.trials = 400;
      cells.push_back(c);
    }
  expect_rates_agree(cells, *gpu);
}

TEST(Gpu, ModelBLargerShapesMatchTheCpu) {
  // K = 5 at d = 5 and d = 100 (the benchmark shapes), every mode, block sizes up to 256.
  RELUSIM_REQUIRE_DEVICE();
  auto gpu = make_cuda_backend();
  auto cpu = make_cpu_backend(0);
  for (DataMode mode : {DataMode::fixed, DataMode::online, DataMode::expected}) {
    for (int d : {5, 100}) {
      CellConfig c;
      set_parameter(c, "model", std::string("B"));
      c.of<ModelBCell>().K = 5;
      c.d = d;
      c.mode = mode;
      c.n_samples = 500;
      c.batch = 64;
      c.eta = 0.05;
      c.steps = 2000;
      c.trials = 64;
      const BatchResult g = gpu->run({&c, 0, 64, true, false});
      const BatchResult h = cpu->run({&c, 0, 64, true, false});
      int same = 0;
      for (std::size_t k = 0; k < 64; ++k)
        same += g.records[k].outcome == h.records[k].outcome ? 1 : 0;
      EXPECT_GE(same, 63) << to_string(mode) << " d=" << d;
    }
  }
}

TEST(Gpu, StuckPointsAreClassifiedAsOnTheCpu) {
  // Model B, expected mode: symmetric starts end at Tian's saddle (strict-saddle) and Gaussian
  // starts of K = d = 8 reach spurious minima (local-min); the GPU's final weights go through the
  // same host classification (models/finish.hpp), with or without records asked for.
  RELUSIM_REQUIRE_DEVICE();
  auto gpu = make_cuda_backend();
  auto cpu = make_cpu_backend(0);
  CellConfig sym;
  set_parameter(sym, "model", std::string("B"));
  sym.of<ModelBCell>().K = 3;
  sym.d = 3;
  sym.mode = DataMode::expected;
  sym.init = InitKind::symmetric;
  sym.of<ModelBCell>().init_x = 0.3;
  sym.of<ModelBCell>().init_y = 0.3;
  sym.eta = 0.1;
  sym.steps = 100000;
  CellConfig gauss;
  set_parameter(gauss, "model", std::string("B"));
  gauss.of<ModelBCell>().K = 8;
  gauss.d = 8;
  gauss.mode = DataMode::expected;
  gauss.eta = 0.5;
  gauss.stuck_tol = 1e-7;
  for (const CellConfig* c : {&sym, &gauss}) {
    const BatchResult g = gpu->run({c, 0, 40, true, false});
    const BatchResult h = cpu->run({c, 0, 40, true, false});
    const BatchResult bare = gpu->run({c, 0, 40, false, false});
    EXPECT_TRUE(bare.records.empty() && bare.final_weights.empty());
    for (int f : {ModelB::kLocalMin, ModelB::kSaddlePoint, ModelB::kFlat}) {
      EXPECT_EQ(g.tally.flag_counts[f], h.tally.flag_counts[f]) << "flag " << f;
      EXPECT_EQ(bare.tally.flag_counts[f], g.tally.flag_counts[f]) << "flag " << f;
    }
    for (std::size_t k = 0; k < 40; ++k) {
      if (g.records[k].outcome == Outcome::stuck && h.records[k].outcome == Outcome::stuck) {
        EXPECT_NEAR(g.records[k].slot[ModelB::kMinEigenvalue],
                    h.records[k].slot[ModelB::kMinEigenvalue], 1e-4);
      }
    }
  }
  EXPECT_EQ(cpu->run({&sym, 0, 40, false, false}).tally.flag_counts[ModelB::kSaddlePoint], 40);
}

TEST(Gpu, FloatRatesAgreeWithinWilsonIntervals) {
  RELUSIM_REQUIRE_DEVICE();
  auto gpu = make_cuda_backend();
  const auto cells = comparison_cells(Precision::f32);
  expect_rates_agree(cells, *gpu);
}

TEST(Gpu, CublasTargetsMatchTheHostReference) {
  RELUSIM_REQUIRE_DEVICE();
  std::int64_t total = 0, same = 0;
  for (Precision precision : {Precision::f64, Precision::f32}) {
    for (auto [n, d] : {std::pair{10, 2}, std::pair{100, 5}, std::pair{40, 12}}) {
      for (Regularizer reg : {Regularizer::l2, Regularizer::l1sq, Regularizer::l1}) {
        for (Convention conv : {Convention::descent, Convention::as_printed}) {
          CellConfig c;
          c.n_samples = n;
          c.d = d;
          c.of<ModelACell>().regularizer = reg;
          c.of<ModelACell>().convention = conv;
          c.of<ModelACell>().lambda = 0.01;
          c.teacher = TeacherKind::random;
          c.precision = precision;
          c.seed = 17;
          const ModelAParams p = resolve_model_a(c);
          const auto host = model_a_batch_targets(p, precision, 0, 300, 0);
          const auto dev = cuda_fixed_targets(p, precision, 0, 300);
          ASSERT_EQ(dev.size(), host.size());
          for (std::size_t k = 0; k < host.size(); ++k) {
            ++total;
            const bool flags = dev[k].design_checked == host[k].design_checked &&
                               dev[k].positive_definite == host[k].positive_definite &&
                               dev[k].lambda_within_bound == host[k].lambda_within_bound &&
                               dev[k].solved == host[k].solved &&
                               dev[k].target_valid == host[k].target_valid;
            if (!flags) continue;
            ++same;
            EXPECT_LE(testing::distance(dev[k].target, host[k].target),
                      1e-9 * testing::norm(host[k].target))
                << to_string(reg) << " N=" << n << " d=" << d << " id=" << k;
            if (host[k].positive_definite) {
              EXPECT_NEAR(dev[k].lambda_bound, host[k].lambda_bound,
                          1e-9 * std::fabs(host[k].lambda_bound));
            }
          }
        }
      }
    }
  }
  EXPECT_GE(static_cast<double>(same) / static_cast<double>(total), 0.999);
}

TEST(Gpu, ABatchTallyDoesNotDependOnItsGroup) {
  // What makes MPI ranks and shards give one process's summary on the GPU (docs/scale-out.md):
  // a batch run alone and inside a group with others has the same tally, bit for bit, and it is
  // the sum of its records in id order.
  RELUSIM_REQUIRE_DEVICE();
  auto gpu = make_cuda_backend();
  const auto cells = comparison_cells(Precision::f64);
  std::vector<TrajectoryBatch> batches;
  for (const CellConfig& c : cells)  // one group per launch shape, several cells per group
    if (c.mode == DataMode::fixed && c.n_samples == 100)
      batches.push_back({&c, 7, 250, true, false});
  ASSERT_GE(batches.size(), 2u);
  const auto together = gpu->run_group(batches);
  for (std::size_t i = 0; i < batches.size(); ++i) {
    const BatchResult alone = gpu->run(batches[i]);
    testing::expect_same_tally(together[i].tally, alone.tally, 0.0);
    CellTally sum;
    for (const TrajectoryRecord& rec : alone.records)
      sum = sum + tally_of(rec);
    EXPECT_EQ(alone.tally.trials, 250);
    testing::expect_same_tally(alone.tally, sum, 0.0);
  }
}

TEST(GpuErrors, CheckedCallsThrowTypedErrorsNamingTheCallFileAndLine) {
#ifndef RELUSIM_TEST_CUDA_CHECKS
  GTEST_SKIP() << "built without CUDA support";
#else
  // Host code: runs without a device.
  EXPECT_NO_THROW(RELUSIM_CUDA_CHECK(cudaSuccess));
  EXPECT_NO_THROW(RELUSIM_CUBLAS_CHECK(CUBLAS_STATUS_SUCCESS));
  const int cuda_line = __LINE__ + 2;
  try {
    RELUSIM_CUDA_CHECK(cudaErrorInvalidValue);
    ADD_FAILURE() << "no exception";
  } catch (const CudaError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("cudaErrorInvalidValue"), std::string::npos) << m;
    EXPECT_NE(m.find("test_gpu.cpp:" + std::to_string(cuda_line)), std::string::npos) << m;
  }
  const int cublas_line = __LINE__ + 2;
  try {
    RELUSIM_CUBLAS_CHECK(CUBLAS_STATUS_INVALID_VALUE);
    ADD_FAILURE() << "no exception";
  } catch (const BackendError& e) {  // a CublasError is a BackendError: exit code 1 in the CLI
    const std::string m = e.what();
    EXPECT_NE(dynamic_cast<const CublasError*>(&e), nullptr);
    EXPECT_NE(m.find("CUBLAS_STATUS_INVALID_VALUE"), std::string::npos) << m;
    EXPECT_NE(m.find("test_gpu.cpp:" + std::to_string(cublas_line)), std::string::npos) << m;
  }
#endif
}

TEST(GpuErrors, CublasIsOpenedOnFirstUseNotAtStart) {
#ifndef RELUSIM_TEST_CUDA_CHECKS
  GTEST_SKIP() << "built without CUDA support";
#else
  // Linking cuBLAS costs every process a tenth of a second at start (kernels/engine/
  // cublas_lazy.cpp): this process (one test per process under ctest) has not opened it yet,
  // and the backend's first cuBLAS call opens it and reaches the library, with or without a
  // device (without one, cublasCreate reports an error status instead of a handle).
  const std::string name = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
  const bool loaded_before = dlopen(name.c_str(), RTLD_NOW | RTLD_NOLOAD) != nullptr;
  const std::string filter = GTEST_FLAG_GET(filter);
  if (!filter.empty() && filter != "*") {
    EXPECT_FALSE(loaded_before);  // alone in its process
  }
  cublasHandle_t handle = nullptr;
  const cublasStatus_t status = cublasCreate(&handle);
  EXPECT_NE(dlopen(name.c_str(), RTLD_NOW | RTLD_NOLOAD), nullptr);
  if (status == CUBLAS_STATUS_SUCCESS) {
    EXPECT_EQ(cublasDestroy(handle), CUBLAS_STATUS_SUCCESS);
  } else if (gpu_required()) {
    ADD_FAILURE() << "cublasCreate failed with a device required: " << status;
  }
#endif
}

TEST(GpuPlanning, BlockSizeRule) {
  // Host code: tested everywhere.
  ModelAParams p;
  p.mode = DataMode::fixed;
  p.n_samples = 10;
  EXPECT_EQ(block_size_for_work(ModelA::parallel_work(p)), 32);
  p.n_samples = 100;
  EXPECT_EQ(block_size_for_work(ModelA::parallel_work(p)), 64);  // 50 rows of work -> 64 threads
  p.n_samples = 256;
  EXPECT_EQ(block_size_for_work(ModelA::parallel_work(p)), 128);
  p.n_samples = 4096;
  EXPECT_EQ(block_size_for_work(ModelA::parallel_work(p)), 256);
  p.mode = DataMode::online;
  p.batch = 32;
  EXPECT_EQ(block_size_for_work(ModelA::parallel_work(p)), 32);
  p.mode = DataMode::expected;
  p.d = 200;
  EXPECT_EQ(block_size_for_work(ModelA::parallel_work(p)), 256);
  for (int n = 1; n < 5000; n += 37) {  // up to 512 rows, no thread gets more than two
    p.mode = DataMode::fixed;
    p.n_samples = n;
    const int b = block_size_for_work(ModelA::parallel_work(p));
    EXPECT_TRUE(b == 32 || b == 64 || b == 128 || b == 256);
    if (n <= 512) {
      EXPECT_GE(2 * b, n);
    }
  }
}

TEST(GpuPlanning, WavesBoundMemory) {
  // 1 MiB of workspace and 4 KiB of buffers per trajectory, a 1 GiB budget: the wave fills the
  // budget without exceeding it.
  const std::int64_t ws = 1 << 20, extra = 4096, budget = std::int64_t{1} << 30;
  const std::int64_t wave = gpu_wave_size(10'000'000, ws, extra, false, budget);
  EXPECT_LE(wave * (ws + extra), budget);
  EXPECT_GT((wave + 1) * (ws + extra), budget);
  EXPECT_EQ(gpu_wave_size(10, ws, extra, false, budget), 10);
  EXPECT_EQ(gpu_wave_size(10, ws, extra, false, 1), 1);  // always progress
  // Shared-memory workspaces: only the buffers count. d = 65536 makes them 1 MiB each.
  const std::int64_t big_d_extra = 2 * 8 * 65536 + 64;
  EXPECT_EQ(gpu_wave_size(5000, ws, extra, true, budget), 5000);
  EXPECT_LE(gpu_wave_size(5000, ws, big_d_extra, true, budget) * big_d_extra, budget);
  EXPECT_EQ(gpu_wave_size(std::int64_t{1} << 30, 8, 8, true, budget), std::int64_t{1} << 20);
}

}  // namespace
}  // namespace relusim
