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

namespace relusim {
namespace {

template <class T, int kBlock>
__global__ void __launch_bounds__(kBlock)
    model_a_kernel(ModelAParams p, std::uint32_t first_id, const double* targets, T* global_ws,
                   std::int64_t ws_elems, int use_shared, TrajectoryResult* results,
                   double* final_w) {
  extern __shared__ double dynamic_shared[];  // double-aligned, also used for float workspaces
  __shared__ typename CudaTeam<kBlock>::Shared team_shared;
  CudaTeam<kBlock> team(team_shared);
  const std::int64_t k = blockIdx.x;
  T* scratch = use_shared ? reinterpret_cast<T*>(dynamic_shared) : global_ws + k * ws_elems;
  const ModelAWorkspace<T> ws = model_a_workspace<T>(p, kBlock, scratch);
  const std::uint32_t id = first_id + static_cast<std::uint32_t>(k);

  model_a_setup(team, p, id, ws);
  for (int j = team.rank(); j < p.d; j += kBlock)
    ws.target[j] = static_cast<T>(targets[k * p.d + j]);
  team.sync();
  const TrajectoryResult r = model_a_run(team, p, id, ws, static_cast<NoObserver*>(nullptr));
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

  BatchResult run(const TrajectoryBatch& batch) override {
    const ModelAParams p = resolve(*batch.cell);
    return batch.cell->precision == Precision::f32 ? run_typed<float>(p, batch)
                                                   : run_typed<double>(p, batch);
  }

 private:
  template <class T>
  BatchResult run_typed(ModelAParams p, const TrajectoryBatch& batch) {
    const int block = model_a_block_size(p);
    switch (block) {
      case 32:
        return run_block<T, 32>(p, batch);
      case 64:
        return run_block<T, 64>(p, batch);
      case 128:
        return run_block<T, 128>(p, batch);
      default:
        return run_block<T, 256>(p, batch);
    }
  }

  template <class T, int kBlock>
  BatchResult run_block(ModelAParams p, const TrajectoryBatch& batch) {
    CudaStream stream;
    // The parameters' vectors must live on the device.
    DeviceBuffer<double> teacher_vec(p.teacher_vector ? static_cast<std::size_t>(p.d) : 0);
    DeviceBuffer<double> init_vec(p.init_vector ? static_cast<std::size_t>(p.d) : 0);
    if (p.teacher_vector) {
      teacher_vec.upload(p.teacher_vector, static_cast<std::size_t>(p.d), stream.get());
      p.teacher_vector = teacher_vec.get();
    }
    if (p.init_vector) {
      init_vec.upload(p.init_vector, static_cast<std::size_t>(p.d), stream.get());
      p.init_vector = init_vec.get();
    }
    ModelAParams host_p = resolve(*batch.cell);  // host pointers, for the host targets

    const std::int64_t ws_elems = model_a_workspace_size(p, kBlock);
    const std::int64_t ws_bytes = ws_elems * static_cast<std::int64_t>(sizeof(T));
    bool in_shared = ws_bytes <= 48 * 1024;
    if (!in_shared && ws_bytes <= max_shared_optin_ - static_cast<std::int64_t>(sizeof(
                                                          typename CudaTeam<kBlock>::Shared))) {
      RELUSIM_CUDA_CHECK(cudaFuncSetAttribute(model_a_kernel<T, kBlock>,
                                              cudaFuncAttributeMaxDynamicSharedMemorySize,
                                              static_cast<int>(ws_bytes)));
      in_shared = true;
    }
    std::size_t free_bytes = 0, total_bytes = 0;
    RELUSIM_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    const std::int64_t wave = model_a_wave_size(batch.count, ws_bytes, in_shared,
                                                static_cast<std::int64_t>(free_bytes / 2));

    BatchResult out;
    out.records.resize(batch.count);
    if (batch.keep_weights) out.final_weights.resize(static_cast<std::size_t>(batch.count) * p.d);
    const std::size_t wave_n = static_cast<std::size_t>(wave);
    DeviceBuffer<T> global_ws(in_shared ? 0 : wave_n * static_cast<std::size_t>(ws_elems));
    DeviceBuffer<double> targets(wave_n * p.d);
    DeviceBuffer<TrajectoryResult> results(wave_n);
    DeviceBuffer<double> final_w(wave_n * p.d);
    std::vector<double> host_targets(wave_n * p.d), host_w(wave_n * p.d);
    std::vector<TrajectoryResult> host_results(wave_n);

    for (std::uint32_t begin = 0; begin < batch.count; begin += static_cast<std::uint32_t>(wave)) {
      const std::uint32_t n =
          std::min<std::uint32_t>(static_cast<std::uint32_t>(wave), batch.count - begin);
      const std::uint32_t first = batch.first_id + begin;
      const std::vector<TargetInfo> info =
          model_a_batch_targets(host_p, batch.cell->precision, first, n, 0);
      for (std::uint32_t k = 0; k < n; ++k)
        std::copy(info[k].target.begin(), info[k].target.end(),
                  host_targets.begin() + static_cast<std::ptrdiff_t>(k) * p.d);
      targets.upload(host_targets.data(), static_cast<std::size_t>(n) * p.d, stream.get());
      const std::size_t shared_bytes = in_shared ? static_cast<std::size_t>(ws_bytes) : 0;
      model_a_kernel<T, kBlock><<<n, kBlock, shared_bytes, stream.get()>>>(
          p, first, targets.get(), global_ws.get(), ws_elems, in_shared ? 1 : 0, results.get(),
          final_w.get());
      RELUSIM_CUDA_CHECK(cudaGetLastError());
      results.download(host_results.data(), n, stream.get());
      if (batch.keep_weights)
        final_w.download(host_w.data(), static_cast<std::size_t>(n) * p.d, stream.get());
      stream.synchronize();
      for (std::uint32_t k = 0; k < n; ++k) {
        TrajectoryRecord& rec = out.records[begin + k];
        rec.id = first + k;
        rec.result = host_results[k];
        rec.design_checked = info[k].design_checked;
        rec.positive_definite = info[k].positive_definite;
        rec.lambda_within_bound = info[k].lambda_within_bound;
        rec.target_valid = info[k].target_valid;
        rec.lambda_bound = info[k].lambda_bound;
      }
      if (batch.keep_weights)
        std::copy(host_w.begin(), host_w.begin() + static_cast<std::ptrdiff_t>(n) * p.d,
                  out.final_weights.begin() + static_cast<std::ptrdiff_t>(begin) * p.d);
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
