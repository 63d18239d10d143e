// The CUDA backend for Model A: one trajectory per thread block, the block's threads splitting
// the samples; the workspace (X, u, residuals, w, ...) lives in shared memory when it fits and in
// global memory otherwise; a block stops as soon as its trajectory is classified (early stopping
// is part of model_a_run). The per-trajectory mathematics is the single-source code the CPU
// backend runs (model_a.hpp), with the same Philox streams.
//
// A wave of trajectories runs as:
//   fixed mode:  design kernel (setup, X and w* out) -> batched targets on cuBLAS
//                (batched_targets.hpp, cublas_ops.cuh)
//   other modes: targets of the population dynamics on the host (targets.hpp), uploaded
//   model kernel (setup, model_a_run, one record per trajectory)
//   reduce_by_key of the records to per-cell tallies (tally_reduce.cuh)
// and only the tallies come back, plus records and final weights when asked for.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#include "cublas_ops.cuh"
#include "cuda_check.cuh"
#include "cuda_team.cuh"
#include "relusim/models/a/batched_targets.hpp"
#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/engine/cuda_backend.hpp"
#include "relusim/engine/launch_rule.hpp"
#include "relusim/models/a/dynamics.hpp"
#include "relusim/engine/plan.hpp"
#include "relusim/engine/waves.hpp"
#include "tally_reduce.cuh"

namespace relusim {
namespace {

/// Blocks per SM the register allocation must allow: 768 threads per SM, a register cap of
/// 65536 / 768 = 85. Without it ptxas capped the double, 256-thread kernel at 64 registers and
/// spilled ~100 bytes; with no cap (min 1 block) it took 180+ registers and cut occupancy.
template <int kBlock>
inline constexpr int kMinBlocksPerSm = 768 / kBlock;

/// The workspace of block k: dynamic shared memory, or its slice of global memory.
template <class T>
__device__ T* block_scratch(T* global_ws, std::int64_t ws_elems, int use_shared) {
  extern __shared__ double dynamic_shared[];  // double-aligned, also used for float workspaces
  return use_shared ? reinterpret_cast<T*>(dynamic_shared) : global_ws + blockIdx.x * ws_elems;
}

/// What block k works on: its item, its cell's parameters and its workspace.
template <class T, int kBlock>
struct BlockTrajectory {
  LaunchItem item;
  const ModelAParams* p;
  ModelAWorkspace<T> ws;

  __device__ BlockTrajectory(const ModelAParams* params, const LaunchItem* items, T* global_ws,
                             std::int64_t ws_elems, int use_shared)
      : item(items[blockIdx.x]),
        p(&params[item.param]),
        ws(model_a_workspace<T>(*p, kBlock, block_scratch(global_ws, ws_elems, use_shared))) {}
};

/// Fixed mode: the setup alone, writing the design and the teacher (in double) for the batched
/// targets. It draws exactly what model_a_kernel's setup draws.
template <class T, int kBlock>
__global__ void __launch_bounds__(kBlock, kMinBlocksPerSm<kBlock>)
    model_a_design_kernel(const ModelAParams* params, const LaunchItem* items, T* global_ws,
                          std::int64_t ws_elems, int use_shared, double* x_out,
                          double* w_star_out) {
  __shared__ typename CudaTeam<kBlock>::Shared team_shared;
  CudaTeam<kBlock> team(team_shared);
  const std::int64_t k = blockIdx.x;
  const BlockTrajectory<T, kBlock> t(params, items, global_ws, ws_elems, use_shared);
  const ModelAParams& p = *t.p;
  const ModelAWorkspace<T>& ws = t.ws;
  model_a_setup(team, p, t.item.id, ws);
  const std::int64_t size = static_cast<std::int64_t>(p.n_samples) * p.d;
  for (std::int64_t e = team.rank(); e < size; e += kBlock)
    x_out[k * size + e] = static_cast<double>(ws.x[e]);
  for (int j = team.rank(); j < p.d; j += kBlock)
    w_star_out[k * p.d + j] = static_cast<double>(ws.w_star[j]);
}

template <class T, int kBlock>
__global__ void __launch_bounds__(kBlock, kMinBlocksPerSm<kBlock>)
    model_a_kernel(const ModelAParams* params, const LaunchItem* items, const double* targets,
                   const TargetChecks* checks, T* global_ws, std::int64_t ws_elems, int use_shared,
                   TrajectoryRecord* records, double* final_w) {
  __shared__ typename CudaTeam<kBlock>::Shared team_shared;
  CudaTeam<kBlock> team(team_shared);
  const std::int64_t k = blockIdx.x;
  const BlockTrajectory<T, kBlock> t(params, items, global_ws, ws_elems, use_shared);
  const ModelAParams& p = *t.p;
  const ModelAWorkspace<T>& ws = t.ws;
  const LaunchItem item = t.item;

  model_a_setup(team, p, item.id, ws);
  for (int j = team.rank(); j < p.d; j += kBlock)
    ws.target[j] = static_cast<T>(targets[k * p.d + j]);
  team.sync();
  const TrajectoryResult r = model_a_run(team, p, item.id, ws, static_cast<NoObserver*>(nullptr));
  if (team.rank() == 0) {
    TrajectoryRecord rec;
    static_cast<TargetChecks&>(rec) = checks[k];
    rec.id = item.id;
    rec.result = r;
    records[k] = rec;
  }
  if (final_w != nullptr)
    for (int j = team.rank(); j < p.d; j += kBlock)
      final_w[k * p.d + j] = static_cast<double>(ws.w[j]);
}

/// Device memory of the batched targets of up to `capacity` trajectories of one shape.
class DeviceFixedTargets {
 public:
  DeviceFixedTargets(std::size_t capacity, int rows, int d)
      : rows_(rows),
        d_(d),
        x_(capacity * rows * d),
        w_star_(capacity * d),
        doubles_(static_cast<std::size_t>(
            fixed_target_doubles(static_cast<std::int64_t>(capacity), rows, d))),
        ints_(capacity * (d + 1)),
        state_(capacity),
        ptrs_(3 * capacity) {}

  double* x() const { return x_.get(); }
  double* w_star() const { return w_star_.get(); }

  /// The wave of n trajectories whose targets and checks go to the given buffers.
  FixedTargetWave wave(int n, const ModelAParams* params, const std::uint32_t* param_of,
                       double* target, TargetChecks* checks) const {
    FixedTargetWave w = carve_fixed_target_wave(n, rows_, d_, doubles_.get(), ints_.get(),
                                                state_.get(), ptrs_.get());
    w.params = params;
    w.param_of = param_of;
    w.x = x_.get();
    w.w_star = w_star_.get();
    w.target = target;
    w.checks = checks;
    return w;
  }

 private:
  int rows_, d_;
  DeviceBuffer<double> x_, w_star_, doubles_;
  DeviceBuffer<int> ints_;
  DeviceBuffer<FixedTargetState> state_;
  DeviceBuffer<double*> ptrs_;
};

/// Parameters of a group on the device, with their explicit vectors.
struct DeviceParams {
  std::vector<ModelAParams> host;
  std::vector<DeviceBuffer<double>> vectors;
  DeviceBuffer<ModelAParams> table;

  DeviceParams(const std::vector<ModelAParams>& resolved, cudaStream_t stream) : host(resolved) {
    std::vector<ModelAParams> device = host;
    vectors.reserve(2 * device.size());
    for (ModelAParams& dp : device)
      for (const double** v : {&dp.teacher_vector, &dp.init_vector}) {
        if (*v == nullptr) continue;
        vectors.emplace_back(static_cast<std::size_t>(dp.d));
        vectors.back().upload(*v, static_cast<std::size_t>(dp.d), stream);
        *v = vectors.back().get();
      }
    table = DeviceBuffer<ModelAParams>(device.size());
    table.upload(device.data(), device.size(), stream);
  }
};

/// Where a kernel's workspace lives; raises the shared-memory limit when needed.
template <class T, int kBlock>
struct WorkspacePlacement {
  std::int64_t elems = 0;
  std::int64_t bytes = 0;
  bool in_shared = false;

  WorkspacePlacement(const ModelAParams& p, int max_shared_optin) {
    elems = model_a_workspace_size(p, kBlock);
    bytes = elems * static_cast<std::int64_t>(sizeof(T));
    const auto team_bytes = static_cast<std::int64_t>(sizeof(typename CudaTeam<kBlock>::Shared));
    in_shared = bytes <= 48 * 1024 - team_bytes;
    if (!in_shared && bytes <= max_shared_optin - team_bytes) {
      for (const void* kernel : {reinterpret_cast<const void*>(model_a_kernel<T, kBlock>),
                                 reinterpret_cast<const void*>(model_a_design_kernel<T, kBlock>)})
        RELUSIM_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                                static_cast<int>(bytes)));
      in_shared = true;
    }
  }
  std::size_t shared_bytes() const { return in_shared ? static_cast<std::size_t>(bytes) : 0; }
};

class CudaBackend final : public Backend {
 public:
  CudaBackend() {
    RELUSIM_CUDA_CHECK(cudaGetDevice(&device_));
    RELUSIM_CUDA_CHECK(cudaGetDeviceProperties(&props_, device_));
    RELUSIM_CUDA_CHECK(cudaDeviceGetAttribute(&max_shared_optin_,
                                              cudaDevAttrMaxSharedMemoryPerBlockOptin, device_));
  }

  std::string description() const override {
    return std::string("cuda (") + props_.name + ", sm_" + std::to_string(props_.major) +
           std::to_string(props_.minor) + ")";
  }

  std::uint32_t preferred_batch_trajectories() const override { return 1u << 16; }

  BatchResult run(const TrajectoryBatch& batch) override {
    return std::move(run_group({batch}).front());
  }

  /// All batches of a group (one launch shape) in one launch per wave.
  std::vector<BatchResult> run_group(const std::vector<TrajectoryBatch>& batches) override {
    if (batches.empty()) return {};
    for (const TrajectoryBatch& b : batches)
      if (launch_shape(*b.cell) != launch_shape(*batches.front().cell))
        throw BackendError("run_group: batches of one group must share their launch shape");
    return batches.front().cell->precision == Precision::f32 ? dispatch<float>(batches)
                                                             : dispatch<double>(batches);
  }

  /// The batched targets of trajectories [first_id, first_id + count) on the device (tests).
  std::vector<TargetInfo> fixed_targets(const ModelAParams& p, Precision precision,
                                        std::uint32_t first_id, std::uint32_t count) {
    std::vector<TargetInfo> out;
    auto with_block = [&](auto tag) {
      using T = decltype(tag);
      switch (model_a_block_size(p)) {
        case 32:
          out = fixed_targets_block<T, 32>(p, first_id, count);
          break;
        case 64:
          out = fixed_targets_block<T, 64>(p, first_id, count);
          break;
        case 128:
          out = fixed_targets_block<T, 128>(p, first_id, count);
          break;
        default:
          out = fixed_targets_block<T, 256>(p, first_id, count);
      }
    };
    if (precision == Precision::f32)
      with_block(float{});
    else
      with_block(double{});
    return out;
  }

 private:
  template <class T>
  std::vector<BatchResult> dispatch(const std::vector<TrajectoryBatch>& batches) {
    switch (model_a_block_size(resolve(*batches.front().cell))) {
      case 32:
        return run_block<T, 32>(batches);
      case 64:
        return run_block<T, 64>(batches);
      case 128:
        return run_block<T, 128>(batches);
      default:
        return run_block<T, 256>(batches);
    }
  }

  template <class T, int kBlock>
  std::vector<TargetInfo> fixed_targets_block(const ModelAParams& p, std::uint32_t first_id,
                                              std::uint32_t count) {
    if (p.mode != DataMode::fixed) throw BackendError("fixed_targets: not a fixed-design cell");
    const std::size_t n = count, d = static_cast<std::size_t>(p.d);
    std::vector<TargetInfo> out(n);
    if (n == 0) return out;
    const DeviceParams params({p}, stream_.get());
    const WorkspacePlacement<T, kBlock> place(p, max_shared_optin_);
    std::vector<LaunchItem> items(n);
    for (std::size_t k = 0; k < n; ++k)
      items[k] = {0, first_id + static_cast<std::uint32_t>(k)};
    DeviceBuffer<LaunchItem> dev_items(n);
    dev_items.upload(items.data(), n, stream_.get());
    DeviceBuffer<std::uint32_t> param_of(n);
    RELUSIM_CUDA_CHECK(
        cudaMemsetAsync(param_of.get(), 0, n * sizeof(std::uint32_t), stream_.get()));
    DeviceBuffer<T> global_ws(place.in_shared ? 0 : n * static_cast<std::size_t>(place.elems));
    DeviceFixedTargets targets(n, p.n_samples, p.d);
    DeviceBuffer<double> target(n * d);
    DeviceBuffer<TargetChecks> checks(n);
    model_a_design_kernel<T, kBlock>
        <<<static_cast<unsigned>(n), kBlock, place.shared_bytes(), stream_.get()>>>(
            params.table.get(), dev_items.get(), global_ws.get(), place.elems,
            place.in_shared ? 1 : 0, targets.x(), targets.w_star());
    RELUSIM_CUDA_CHECK(cudaGetLastError());
    CublasBatchedOps ops{cublas_.get(), stream_.get()};
    compute_fixed_targets(ops, targets.wave(static_cast<int>(n), params.table.get(), param_of.get(),
                                            target.get(), checks.get()));
    std::vector<double> host_target(n * d);
    std::vector<TargetChecks> host_checks(n);
    target.download(host_target.data(), n * d, stream_.get());
    checks.download(host_checks.data(), n, stream_.get());
    stream_.synchronize();
    for (std::size_t k = 0; k < n; ++k) {
      static_cast<TargetChecks&>(out[k]) = host_checks[k];
      out[k].target.assign(host_target.begin() + static_cast<std::ptrdiff_t>(k * d),
                           host_target.begin() + static_cast<std::ptrdiff_t>((k + 1) * d));
    }
    return out;
  }

  template <class T, int kBlock>
  std::vector<BatchResult> run_block(const std::vector<TrajectoryBatch>& batches) {
    cudaStream_t stream = stream_.get();
    std::vector<ModelAParams> resolved;
    for (const TrajectoryBatch& b : batches)
      resolved.push_back(resolve(*b.cell));
    const DeviceParams params(resolved, stream);
    const ModelAParams& shape = resolved.front();
    const bool fixed = shape.mode == DataMode::fixed;
    const int d = shape.d, rows = model_a_rows(shape);

    bool want_records = false, want_weights = false;
    std::int64_t total = 0;
    for (const TrajectoryBatch& b : batches) {
      want_records = want_records || b.keep_records;
      want_weights = want_weights || b.keep_weights;
      total += b.count;
    }

    const WorkspacePlacement<T, kBlock> place(shape, max_shared_optin_);
    std::size_t free_bytes = 0, total_bytes = 0;
    RELUSIM_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    const auto extra = static_cast<std::int64_t>(
        sizeof(TrajectoryRecord) + sizeof(LaunchItem) + sizeof(std::uint32_t) +
        sizeof(TargetChecks) + 2 * sizeof(double) * static_cast<std::size_t>(d) +
        static_cast<std::size_t>(fixed ? fixed_target_bytes(rows, d) : 0));
    const std::int64_t wave = model_a_wave_size(total, place.bytes, extra, place.in_shared,
                                                static_cast<std::int64_t>(free_bytes / 2));
    const auto wave_n = static_cast<std::size_t>(wave);
    const auto ud = static_cast<std::size_t>(d);
    DeviceBuffer<T> global_ws(place.in_shared ? 0 : wave_n * static_cast<std::size_t>(place.elems));
    DeviceBuffer<LaunchItem> dev_items(wave_n);
    DeviceBuffer<std::uint32_t> dev_keys(wave_n), keys_out(batches.size());
    DeviceBuffer<double> targets(wave_n * ud), final_w(want_weights ? wave_n * ud : 0);
    DeviceBuffer<TargetChecks> checks(wave_n);
    DeviceBuffer<TrajectoryRecord> records(wave_n);
    DeviceBuffer<CellTally> tallies(batches.size());
    std::optional<DeviceFixedTargets> fixed_targets;
    if (fixed) fixed_targets.emplace(wave_n, rows, d);
    std::vector<double> host_targets(fixed ? 0 : wave_n * ud);
    std::vector<TargetChecks> host_checks(fixed ? 0 : wave_n);
    CublasBatchedOps ops{cublas_.get(), stream};

    auto exec = [&](const LaunchItem* items, const std::uint32_t* keys, std::size_t n) {
      dev_items.upload(items, n, stream);
      dev_keys.upload(keys, n, stream);
      if (fixed) {
        model_a_design_kernel<T, kBlock>
            <<<static_cast<unsigned>(n), kBlock, place.shared_bytes(), stream>>>(
                params.table.get(), dev_items.get(), global_ws.get(), place.elems,
                place.in_shared ? 1 : 0, fixed_targets->x(), fixed_targets->w_star());
        RELUSIM_CUDA_CHECK(cudaGetLastError());
        compute_fixed_targets(
            ops, fixed_targets->wave(static_cast<int>(n), params.table.get(), dev_keys.get(),
                                     targets.get(), checks.get()));
      } else {
        host_population_targets(batches, params.host, items, n, host_targets, host_checks);
        targets.upload(host_targets.data(), n * ud, stream);
        checks.upload(host_checks.data(), n, stream);
      }
      model_a_kernel<T, kBlock><<<static_cast<unsigned>(n), kBlock, place.shared_bytes(), stream>>>(
          params.table.get(), dev_items.get(), targets.get(), checks.get(), global_ws.get(),
          place.elems, place.in_shared ? 1 : 0, records.get(),
          want_weights ? final_w.get() : nullptr);
      RELUSIM_CUDA_CHECK(cudaGetLastError());
      const std::size_t runs =
          reduce_tallies_by_key(thrust::cuda::par.on(stream), dev_keys.get(), records.get(), n,
                                keys_out.get(), tallies.get());
      WaveOutput w;
      w.keys.resize(runs);
      w.tallies.resize(runs);
      keys_out.download(w.keys.data(), runs, stream);
      tallies.download(w.tallies.data(), runs, stream);
      if (want_records) {
        w.records.resize(n);
        records.download(w.records.data(), n, stream);
      }
      if (want_weights) {
        w.final_weights.resize(n * ud);
        final_w.download(w.final_weights.data(), n * ud, stream);
      }
      stream_.synchronize();
      return w;
    };
    return run_in_waves(batches, d, wave, exec);
  }

  /// Online and expected modes: the population targets on the host (all cores), one run of
  /// consecutive items of the same batch at a time.
  static void host_population_targets(const std::vector<TrajectoryBatch>& batches,
                                      const std::vector<ModelAParams>& params,
                                      const LaunchItem* items, std::size_t n,
                                      std::vector<double>& targets,
                                      std::vector<TargetChecks>& checks) {
    const auto d = static_cast<std::size_t>(params.front().d);
    for (std::size_t s = 0; s < n;) {
      const LaunchItem first = items[s];
      std::size_t e = s + 1;
      while (e < n && items[e].param == first.param)
        ++e;
      const std::vector<TargetInfo> part =
          model_a_batch_targets(params[first.param], batches[first.param].cell->precision, first.id,
                                static_cast<std::uint32_t>(e - s), 0);
      for (std::size_t k = s; k < e; ++k) {
        checks[k] = part[k - s];
        std::copy(part[k - s].target.begin(), part[k - s].target.end(),
                  targets.begin() + static_cast<std::ptrdiff_t>(k * d));
      }
      s = e;
    }
  }

  int device_ = 0;
  cudaDeviceProp props_{};
  int max_shared_optin_ = 0;
  CudaStream stream_;
  CublasHandle cublas_{stream_.get()};
};

}  // namespace

bool cuda_compiled() {
  return true;
}

bool cuda_device_available(std::string& why) {
  int count = 0;  // left alone by cudaGetDeviceCount when no driver is installed
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    why = std::string("no CUDA device (cudaGetDeviceCount: ") + cudaGetErrorString(status) + ")";
    cudaGetLastError();  // clear the sticky error for later calls
    return false;
  }
  int device = 0;
  cudaDeviceProp props{};
  if (cudaGetDevice(&device) != cudaSuccess ||
      cudaGetDeviceProperties(&props, device) != cudaSuccess) {
    why = "CUDA device present but not usable";
    return false;
  }
  why = "GPU " + std::to_string(device) + ": " + props.name + " (sm_" +
        std::to_string(props.major) + std::to_string(props.minor) + ", " +
        std::to_string(props.totalGlobalMem >> 20) + " MiB)";
  return true;
}

std::unique_ptr<Backend> make_cuda_backend() {
  return std::make_unique<CudaBackend>();
}

std::vector<TargetInfo> cuda_fixed_targets(const ModelAParams& p, Precision precision,
                                           std::uint32_t first_id, std::uint32_t count) {
  CudaBackend backend;
  return backend.fixed_targets(p, precision, first_id, count);
}

}  // namespace relusim
