// Model C on the CUDA backend: waves of trajectories stepped by models/c/wave.hpp over cuBLAS
// (strided-batched S/DGEMM) and one-thread-per-item kernels for the element-wise steps. The
// teachers and initial students are made on the host (models/c/setup.hpp, the same numbers as
// the CPU backend) and uploaded with the wave.
#include <algorithm>
#include <string>
#include <vector>

#include "cublas_calls.cuh"
#include "cuda_context.cuh"
#include "for_each.cuh"
#include "relusim/engine/launch_rule.hpp"
#include "relusim/engine/waves.hpp"
#include "relusim/models/c/host.hpp"
#include "relusim/models/c/wave.hpp"

namespace relusim {
namespace {

struct CublasWaveOps {
  cublasHandle_t handle;
  cudaStream_t stream;

  template <class T>
  void gemm(BlasTrans ta, BlasTrans tb, int m, int n, int k, T alpha, const T* a, int lda,
            std::int64_t sa, const T* b, int ldb, std::int64_t sb, T beta, T* c, int ldc,
            std::int64_t sc, int batch) const {
    gemm_strided_batched(handle, ta, tb, m, n, k, alpha, a, lda, sa, b, ldb, sb, beta, c, ldc, sc,
                         batch);
  }
  template <class F>
  void for_each(std::int64_t count, const F& f) const {
    launch_for_each(stream, count, f);
  }
  int count_active(const ModelCState* s, int n) const { return count_active_states(stream, s, n); }
  void synchronize() const { RELUSIM_CUDA_CHECK(cudaStreamSynchronize(stream)); }
};

template <class T>
std::vector<BatchResult> run_shape(CudaContext& ctx, const std::vector<TrajectoryBatch>& batches,
                                   const std::vector<ModelCParams>& params) {
  const ModelCParams& shape = params.front();
  const int d = shape.d, rows = model_c_rows(shape), n_train = model_c_train(shape);
  const auto dd = static_cast<std::size_t>(d) * static_cast<std::size_t>(d);
  bool want_weights = false;
  std::int64_t total = 0;
  for (const TrajectoryBatch& b : batches) {
    want_weights = want_weights || b.keep_weights;
    total += b.count;
  }
  std::size_t per = 0;
  carve_model_c_wave<T>(1, d, rows, n_train, nullptr, per);
  std::size_t free_bytes = 0, total_bytes = 0;
  RELUSIM_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
  const std::int64_t budget = device_budget_bytes(free_bytes);
  if (static_cast<std::int64_t>(per) > budget)
    throw BackendError("model C: one trajectory needs " + std::to_string(per >> 20) +
                       " MiB on the device, more than half its free memory");
  // The engine's wave rule (engine/launch_rule.hpp), as for the team models: the workspace in
  // global memory, 1 KiB a trajectory for the staging.
  const std::int64_t wave =
      gpu_wave_size(total, static_cast<std::int64_t>(per), 1024, false, budget);
  std::size_t bytes = 0;
  carve_model_c_wave<T>(static_cast<int>(wave), d, rows, n_train, nullptr, bytes);
  DeviceBuffer<std::byte> arena(bytes);
  DeviceBuffer<ModelCParams> dev_params(params.size());
  dev_params.upload(params.data(), params.size(), ctx.stream.get());
  DeviceBuffer<std::uint32_t> dev_param_of(static_cast<std::size_t>(wave)),
      dev_ids(static_cast<std::size_t>(wave));
  const CublasWaveOps ops{ctx.cublas.get(), ctx.stream.get()};

  auto exec = [&](const LaunchItem* items, const std::uint32_t*, std::size_t n) {
    ModelCWave<T> w =
        carve_model_c_wave<T>(static_cast<int>(n), d, rows, n_train, arena.get(), bytes);
    std::vector<std::uint32_t> param_of(n), ids(n);
    std::vector<T> w0(n * dd), ws(n * dd);
    std::vector<ModelCState> state(n);
    std::vector<double> a(dd), b(dd);
    for (std::size_t k = 0; k < n; ++k) {
      param_of[k] = items[k].param;
      ids[k] = items[k].id;
      model_c_start(params[items[k].param], items[k].id, a.data(), b.data(), state[k].threshold);
      for (std::size_t e = 0; e < dd; ++e) {
        w0[k * dd + e] = static_cast<T>(a[e]);
        ws[k * dd + e] = static_cast<T>(b[e]);
      }
    }
    cudaStream_t s = ctx.stream.get();
    dev_param_of.upload(param_of.data(), n, s);
    dev_ids.upload(ids.data(), n, s);
    RELUSIM_CUDA_CHECK(
        cudaMemcpyAsync(w.w, w0.data(), n * dd * sizeof(T), cudaMemcpyHostToDevice, s));
    RELUSIM_CUDA_CHECK(
        cudaMemcpyAsync(w.ws, ws.data(), n * dd * sizeof(T), cudaMemcpyHostToDevice, s));
    RELUSIM_CUDA_CHECK(
        cudaMemcpyAsync(w.state, state.data(), n * sizeof(ModelCState), cudaMemcpyHostToDevice, s));
    w.params = dev_params.get();
    w.param_of = dev_param_of.get();
    w.ids = dev_ids.get();
    run_model_c_wave<T>(ops, w, shape);
    RELUSIM_CUDA_CHECK(
        cudaMemcpyAsync(state.data(), w.state, n * sizeof(ModelCState), cudaMemcpyDeviceToHost, s));
    if (want_weights)
      RELUSIM_CUDA_CHECK(
          cudaMemcpyAsync(w0.data(), w.w, n * dd * sizeof(T), cudaMemcpyDeviceToHost, s));
    ctx.stream.synchronize();
    WaveOutput out;
    out.records.resize(n);
    for (std::size_t k = 0; k < n; ++k)
      out.records[k] = model_c_record(state[k], params[items[k].param], items[k].id);
    if (want_weights) {
      out.final_weights.resize(n * dd);
      for (std::size_t k = 0; k < n; ++k)
        model_c_row_major(w0.data() + k * dd, d, out.final_weights.data() + k * dd);
    }
    return out;
  };
  return run_in_waves(batches, static_cast<int>(dd), wave, exec);
}

}  // namespace

/// A launch group of Model C: the plan gave its batches one wave shape (d, B, N, mode, steps,
/// diagnostics_every: ModelCCell::launch_key in the launch shape), run in waves sized to the free
/// device memory by the engine's rule.
template <>
std::vector<BatchResult> cuda_run_group<ModelC>(CudaContext& ctx,
                                                const std::vector<TrajectoryBatch>& batches) {
  std::vector<ModelCParams> params;
  for (const TrajectoryBatch& b : batches) {
    params.push_back(ModelHost<ModelC>::resolve(*b.cell));
    if (!same_wave_shape(params.front(), params.back()))
      throw BackendError("model C: the batches of a launch group differ in their wave shape");
  }
  return batches.front().cell->precision == Precision::f32
             ? run_shape<float>(ctx, batches, params)
             : run_shape<double>(ctx, batches, params);
}

}  // namespace relusim
