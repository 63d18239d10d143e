// The CUDA backend for Model A: one trajectory per thread block, the block's threads splitting
// the samples; the workspace (X, u, residuals, w, ...) lives in shared memory when it fits and in
// global memory otherwise; a block stops as soon as its trajectory is classified (early stopping
// is part of model_a_run). The per-trajectory mathematics is the single-source code the CPU
// backend runs (model_a.hpp), with the same Philox streams.
//
// Targets (w_hat, Kong's checks) are computed on the host with the CPU code in this version and
// uploaded with the batch; see docs/gpu.md.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "cuda_check.cuh"
#include "cuda_team.cuh"
#include "relusim/cpu_trajectory.hpp"
#include "relusim/cuda_backend.hpp"
#include "relusim/launch_rule.hpp"
#include "relusim/model_a.hpp"
#include "relusim/plan.hpp"

namespace relusim {
namespace {

/// One block's work: which cell's parameters, which trajectory.
struct LaunchItem {
  std::uint32_t param;
  std::uint32_t id;
};

/// Blocks per SM the register allocation must allow: 768 threads per SM, a register cap of
/// 65536 / 768 = 85. Without it ptxas capped the double, 256-thread kernel at 64 registers and
/// spilled ~100 bytes; with no cap (min 1 block) it took 180+ registers and cut occupancy.
template <int kBlock>
inline constexpr int kMinBlocksPerSm = 768 / kBlock;

template <class T, int kBlock>
__global__ void __launch_bounds__(kBlock, kMinBlocksPerSm<kBlock>)
    model_a_kernel(const ModelAParams* params, const LaunchItem* items, const double* targets,
                   T* global_ws, std::int64_t ws_elems, int use_shared, TrajectoryResult* results,
                   double* final_w) {
  extern __shared__ double dynamic_shared[];  // double-aligned, also used for float workspaces
  __shared__ typename CudaTeam<kBlock>::Shared team_shared;
  CudaTeam<kBlock> team(team_shared);
  const std::int64_t k = blockIdx.x;
  const LaunchItem item = items[k];
  const ModelAParams& p = params[item.param];
  T* scratch = use_shared ? reinterpret_cast<T*>(dynamic_shared) : global_ws + k * ws_elems;
  const ModelAWorkspace<T> ws = model_a_workspace<T>(p, kBlock, scratch);

  model_a_setup(team, p, item.id, ws);
  for (int j = team.rank(); j < p.d; j += kBlock)
    ws.target[j] = static_cast<T>(targets[k * p.d + j]);
  team.sync();
  const TrajectoryResult r = model_a_run(team, p, item.id, ws, static_cast<NoObserver*>(nullptr));
  if (team.rank() == 0) results[k] = r;
  for (int j = team.rank(); j < p.d; j += kBlock)
    final_w[k * p.d + j] = static_cast<double>(ws.w[j]);
}

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
    return batches.front().cell->precision == Precision::f32 ? run_typed<float>(batches)
                                                             : run_typed<double>(batches);
  }

 private:
  template <class T>
  std::vector<BatchResult> run_typed(const std::vector<TrajectoryBatch>& batches) {
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
  std::vector<BatchResult> run_block(const std::vector<TrajectoryBatch>& batches) {
    CudaStream stream;
    // Parameters: host copies (for the host targets) and device copies whose vectors live on
    // the device.
    std::vector<ModelAParams> host_params, device_params;
    std::vector<DeviceBuffer<double>> vectors;
    for (const TrajectoryBatch& b : batches) {
      host_params.push_back(resolve(*b.cell));
      ModelAParams dp = host_params.back();
      for (const double** v : {&dp.teacher_vector, &dp.init_vector}) {
        if (*v == nullptr) continue;
        vectors.emplace_back(static_cast<std::size_t>(dp.d));
        vectors.back().upload(*v, static_cast<std::size_t>(dp.d), stream.get());
        *v = vectors.back().get();
      }
      device_params.push_back(dp);
    }
    DeviceBuffer<ModelAParams> params(device_params.size());
    params.upload(device_params.data(), device_params.size(), stream.get());

    std::vector<LaunchItem> items;
    std::vector<BatchResult> out(batches.size());
    for (std::uint32_t i = 0; i < batches.size(); ++i) {
      for (std::uint32_t k = 0; k < batches[i].count; ++k)
        items.push_back({i, batches[i].first_id + k});
      out[i].records.resize(batches[i].count);
      if (batches[i].keep_weights)
        out[i].final_weights.resize(static_cast<std::size_t>(batches[i].count) * host_params[i].d);
    }
    const int d = host_params.front().d;

    const std::int64_t ws_elems = model_a_workspace_size(host_params.front(), kBlock);
    const std::int64_t ws_bytes = ws_elems * static_cast<std::int64_t>(sizeof(T));
    const auto team_bytes = static_cast<std::int64_t>(sizeof(typename CudaTeam<kBlock>::Shared));
    bool in_shared = ws_bytes <= 48 * 1024 - team_bytes;
    if (!in_shared && ws_bytes <= max_shared_optin_ - team_bytes) {
      RELUSIM_CUDA_CHECK(cudaFuncSetAttribute(model_a_kernel<T, kBlock>,
                                              cudaFuncAttributeMaxDynamicSharedMemorySize,
                                              static_cast<int>(ws_bytes)));
      in_shared = true;
    }
    std::size_t free_bytes = 0, total_bytes = 0;
    RELUSIM_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    const auto total = static_cast<std::int64_t>(items.size());
    const auto extra = static_cast<std::int64_t>(sizeof(TrajectoryResult) + sizeof(LaunchItem) +
                                                 2 * sizeof(double) * static_cast<std::size_t>(d));
    const std::int64_t wave = model_a_wave_size(total, ws_bytes, extra, in_shared,
                                                static_cast<std::int64_t>(free_bytes / 2));
    const auto wave_n = static_cast<std::size_t>(wave);
    DeviceBuffer<T> global_ws(in_shared ? 0 : wave_n * static_cast<std::size_t>(ws_elems));
    DeviceBuffer<LaunchItem> dev_items(wave_n);
    DeviceBuffer<double> targets(wave_n * d);
    DeviceBuffer<TrajectoryResult> results(wave_n);
    DeviceBuffer<double> final_w(wave_n * d);
    std::vector<double> host_targets(wave_n * d), host_w(wave_n * d);
    std::vector<TrajectoryResult> host_results(wave_n);
    std::vector<TargetInfo> info(wave_n);
    const std::size_t shared_bytes = in_shared ? static_cast<std::size_t>(ws_bytes) : 0;

    for (std::int64_t begin = 0; begin < total; begin += wave) {
      const auto n = static_cast<std::size_t>(std::min(wave, total - begin));
      const auto b0 = static_cast<std::size_t>(begin);
      // Targets on the host, one run of consecutive items of the same batch at a time.
      for (std::size_t s = 0; s < n;) {
        const LaunchItem first = items[b0 + s];
        std::size_t e = s + 1;
        while (e < n && items[b0 + e].param == first.param)
          ++e;
        const std::vector<TargetInfo> part =
            model_a_batch_targets(host_params[first.param], batches[first.param].cell->precision,
                                  first.id, static_cast<std::uint32_t>(e - s), 0);
        std::move(part.begin(), part.end(), info.begin() + static_cast<std::ptrdiff_t>(s));
        s = e;
      }
      for (std::size_t k = 0; k < n; ++k)
        std::copy(info[k].target.begin(), info[k].target.end(),
                  host_targets.begin() + static_cast<std::ptrdiff_t>(k) * d);
      dev_items.upload(items.data() + b0, n, stream.get());
      targets.upload(host_targets.data(), n * d, stream.get());
      model_a_kernel<T, kBlock><<<static_cast<unsigned>(n), kBlock, shared_bytes, stream.get()>>>(
          params.get(), dev_items.get(), targets.get(), global_ws.get(), ws_elems,
          in_shared ? 1 : 0, results.get(), final_w.get());
      RELUSIM_CUDA_CHECK(cudaGetLastError());
      results.download(host_results.data(), n, stream.get());
      final_w.download(host_w.data(), n * d, stream.get());
      stream.synchronize();
      for (std::size_t k = 0; k < n; ++k) {
        const LaunchItem item = items[b0 + k];
        const std::uint32_t local = item.id - batches[item.param].first_id;
        TrajectoryRecord& rec = out[item.param].records[local];
        rec.id = item.id;
        rec.result = host_results[k];
        rec.design_checked = info[k].design_checked;
        rec.positive_definite = info[k].positive_definite;
        rec.lambda_within_bound = info[k].lambda_within_bound;
        rec.target_valid = info[k].target_valid;
        rec.lambda_bound = info[k].lambda_bound;
        if (batches[item.param].keep_weights)
          std::copy(host_w.begin() + static_cast<std::ptrdiff_t>(k) * d,
                    host_w.begin() + static_cast<std::ptrdiff_t>(k + 1) * d,
                    out[item.param].final_weights.begin() + static_cast<std::ptrdiff_t>(local) * d);
      }
    }
    return out;
  }

  int device_ = 0;
  cudaDeviceProp props_{};
  int max_shared_optin_ = 0;
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

}  // namespace relusim
