// Model A on the CUDA backend: the generic runner (kernels/engine/runner.cuh) instantiated for
// ModelA, with Model A's preparation, its targets:
//   fixed mode:  design kernel (setup, X and w* out) -> batched targets on cuBLAS
//                (models/a/batched_targets.hpp, cublas_ops.cuh)
//   other modes: targets of the population dynamics on the host (models/a/targets.hpp), uploaded
#include <algorithm>
#include <optional>
#include <vector>

#include "cublas_ops.cuh"
#include "relusim/engine/cuda_backend.hpp"
#include "relusim/models/a/cuda_targets.hpp"
#include "relusim/models/a/batched_targets.hpp"
#include "relusim/models/a/host.hpp"
#include "runner.cuh"

namespace relusim {

/// Fixed mode: the setup alone, writing the design and the teacher (in double) for the batched
/// targets. It draws exactly what the trajectory kernel's setup draws.
template <class T, int kBlock>
__global__ void __launch_bounds__(kBlock, kMinBlocksPerSm<ModelA, kBlock>)
    model_a_design_kernel(const ModelAParams* params, const LaunchItem* items, T* global_ws,
                          std::int64_t ws_elems, int use_shared, double* x_out,
                          double* w_star_out) {
  __shared__ typename CudaTeamFor<kBlock>::Shared team_shared;
  CudaTeamFor<kBlock> team(team_shared);
  const std::int64_t k = blockIdx.x;
  const LaunchItem item = items[k];
  const ModelAParams& p = params[item.param];
  const ModelAWorkspace<T> ws =
      ModelA::carve<T>(p, kBlock, block_scratch(global_ws, ws_elems, use_shared));
  ModelA::setup(team, p, item.id, ws);
  const std::int64_t size = static_cast<std::int64_t>(model_a_ld(p)) * p.d;
  for (std::int64_t e = team.rank(); e < size; e += kBlock)
    x_out[k * size + e] = static_cast<double>(ws.x[e]);
  for (int j = team.rank(); j < p.d; j += kBlock)
    w_star_out[k * p.d + j] = static_cast<double>(ws.w_star[j]);
}

namespace {

/// Device memory of the batched targets of up to `capacity` trajectories of one shape.
class DeviceFixedTargets {
 public:
  DeviceFixedTargets(std::size_t capacity, int rows, int ld, int d)
      : rows_(rows),
        ld_(ld),
        d_(d),
        x_(capacity * ld * d),
        w_star_(capacity * d),
        doubles_(static_cast<std::size_t>(
            fixed_target_doubles(static_cast<std::int64_t>(capacity), ld, d))),
        ints_(capacity * (d + 1)),
        state_(capacity),
        ptrs_(3 * capacity) {}

  double* x() const { return x_.get(); }
  double* w_star() const { return w_star_.get(); }

  /// The wave of n trajectories whose targets and checks go to the given buffers.
  /// `need_p`: lambda_bound_needs_p of some cell of the wave (from the host copy of `params`).
  FixedTargetWave wave(int n, const ModelAParams* params, const std::uint32_t* param_of,
                       double* target, TargetChecks* checks, bool need_p) const {
    FixedTargetWave w = carve_fixed_target_wave(n, rows_, ld_, d_, doubles_.get(), ints_.get(),
                                                state_.get(), ptrs_.get());
    w.need_p = need_p;
    w.params = params;
    w.param_of = param_of;
    w.x = x_.get();
    w.w_star = w_star_.get();
    w.target = target;
    w.checks = checks;
    return w;
  }

 private:
  int rows_, ld_, d_;
  DeviceBuffer<double> x_, w_star_, doubles_;
  DeviceBuffer<int> ints_;
  DeviceBuffer<FixedTargetState> state_;
  DeviceBuffer<double*> ptrs_;
};

}  // namespace

/// Model A's preparation: the target of every trajectory of a wave and its checks.
template <class T, int kBlock>
struct CudaPreparation<ModelA, T, kBlock> {
  CudaPreparation(CudaContext& ctx, const std::vector<TrajectoryBatch>& batches,
                  const DeviceParams<ModelA>& params, std::size_t wave_n,
                  const WorkspacePlacement& place)
      : ctx_(&ctx),
        batches_(&batches),
        params_(&params),
        place_(&place),
        fixed_(params.host.front().mode == DataMode::fixed),
        d_(params.host.front().d),
        targets_(wave_n * static_cast<std::size_t>(d_)),
        checks_(wave_n),
        host_targets_(fixed_ ? 0 : wave_n * static_cast<std::size_t>(d_)),
        host_checks_(fixed_ ? 0 : wave_n) {
    if (fixed_)
      fixed_targets_.emplace(wave_n, params.host.front().n_samples, model_a_ld(params.host.front()),
                             d_);
  }

  static std::int64_t bytes_per_trajectory(const ModelAParams& p) {
    return static_cast<std::int64_t>(sizeof(TargetChecks) + sizeof(double) * p.d) +
           (p.mode == DataMode::fixed ? fixed_target_bytes(model_a_ld(p), p.d) : 0);
  }

  /// The design kernel shares the trajectory kernel's workspace placement.
  static void allow_shared(const WorkspacePlacement& place) {
    if (place.in_shared && place.bytes > 0)
      RELUSIM_CUDA_CHECK(cudaFuncSetAttribute(
          reinterpret_cast<const void*>(model_a_design_kernel<T, kBlock>),
          cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(place.bytes)));
  }

  const double* prepared() const { return targets_.get(); }
  const TargetChecks* aux() const { return checks_.get(); }

  void run(const LaunchItem* items, const LaunchItem* dev_items, const std::uint32_t* dev_keys,
           std::size_t n) {
    cudaStream_t stream = ctx_->stream.get();
    const auto ud = static_cast<std::size_t>(d_);
    if (fixed_) {
      // The workspace of the design kernel: the trajectory kernel's placement; in global memory
      // it needs its own buffer for the wave.
      DeviceBuffer<T> global_ws(place_->in_shared ? 0
                                                  : n * static_cast<std::size_t>(place_->elems));
      model_a_design_kernel<T, kBlock>
          <<<static_cast<unsigned>(n), kBlock, place_->shared_bytes(), stream>>>(
              params_->table.get(), dev_items, global_ws.get(), place_->elems, place_->use_shared(),
              fixed_targets_->x(), fixed_targets_->w_star());
      RELUSIM_CUDA_CHECK(cudaGetLastError());
      CublasBatchedOps ops{ctx_->cublas.get(), stream};
      compute_fixed_targets(
          ops,
          fixed_targets_->wave(
              static_cast<int>(n), params_->table.get(), dev_keys, targets_.get(), checks_.get(),
              std::any_of(params_->host.begin(), params_->host.end(), lambda_bound_needs_p)));
      ctx_->stream.synchronize();  // before global_ws goes
      return;
    }
    // Online and expected modes: the population targets on the host (all cores), one run of
    // consecutive items of the same batch at a time.
    for (std::size_t s = 0; s < n;) {
      const LaunchItem first = items[s];
      std::size_t e = s + 1;
      while (e < n && items[e].param == first.param)
        ++e;
      const std::vector<TargetInfo> part = model_a_batch_targets(
          params_->host[first.param], (*batches_)[first.param].cell->precision, first.id,
          static_cast<std::uint32_t>(e - s), 0);
      for (std::size_t k = s; k < e; ++k) {
        host_checks_[k] = part[k - s];
        std::copy(part[k - s].target.begin(), part[k - s].target.end(),
                  host_targets_.begin() + static_cast<std::ptrdiff_t>(k * ud));
      }
      s = e;
    }
    targets_.upload(host_targets_.data(), n * ud, stream);
    checks_.upload(host_checks_.data(), n, stream);
  }

 private:
  CudaContext* ctx_;
  const std::vector<TrajectoryBatch>* batches_;
  const DeviceParams<ModelA>* params_;
  const WorkspacePlacement* place_;
  bool fixed_;
  int d_;
  DeviceBuffer<double> targets_;
  DeviceBuffer<TargetChecks> checks_;
  std::optional<DeviceFixedTargets> fixed_targets_;
  std::vector<double> host_targets_;
  std::vector<TargetChecks> host_checks_;
};

template std::vector<BatchResult> cuda_run_group<ModelA>(CudaContext&,
                                                         const std::vector<TrajectoryBatch>&);

namespace {

template <class T, int kBlock>
std::vector<TargetInfo> fixed_targets_block(CudaContext& ctx, const ModelAParams& p,
                                            std::uint32_t first_id, std::uint32_t count) {
  const std::size_t n = count, d = static_cast<std::size_t>(p.d);
  std::vector<TargetInfo> out(n);
  if (n == 0) return out;
  cudaStream_t stream = ctx.stream.get();
  const DeviceParams<ModelA> params({p}, stream);
  const WorkspacePlacement place(ModelA::workspace_size(p, kBlock), sizeof(T),
                                 sizeof(typename CudaTeamFor<kBlock>::Shared), ctx.max_shared_optin,
                                 {reinterpret_cast<const void*>(model_a_design_kernel<T, kBlock>)});
  std::vector<LaunchItem> items(n);
  for (std::size_t k = 0; k < n; ++k)
    items[k] = {0, first_id + static_cast<std::uint32_t>(k)};
  DeviceBuffer<LaunchItem> dev_items(n);
  dev_items.upload(items.data(), n, stream);
  DeviceBuffer<std::uint32_t> param_of(n);
  RELUSIM_CUDA_CHECK(cudaMemsetAsync(param_of.get(), 0, n * sizeof(std::uint32_t), stream));
  DeviceBuffer<T> global_ws(place.in_shared ? 0 : n * static_cast<std::size_t>(place.elems));
  DeviceFixedTargets targets(n, p.n_samples, model_a_ld(p), p.d);
  DeviceBuffer<double> target(n * d);
  DeviceBuffer<TargetChecks> checks(n);
  model_a_design_kernel<T, kBlock>
      <<<static_cast<unsigned>(n), kBlock, place.shared_bytes(), stream>>>(
          params.table.get(), dev_items.get(), global_ws.get(), place.elems, place.use_shared(),
          targets.x(), targets.w_star());
  RELUSIM_CUDA_CHECK(cudaGetLastError());
  CublasBatchedOps ops{ctx.cublas.get(), stream};
  compute_fixed_targets(ops, targets.wave(static_cast<int>(n), params.table.get(), param_of.get(),
                                          target.get(), checks.get(), lambda_bound_needs_p(p)));
  std::vector<double> host_target(n * d);
  std::vector<TargetChecks> host_checks(n);
  target.download(host_target.data(), n * d, stream);
  checks.download(host_checks.data(), n, stream);
  ctx.stream.synchronize();
  for (std::size_t k = 0; k < n; ++k) {
    static_cast<TargetChecks&>(out[k]) = host_checks[k];
    out[k].target.assign(host_target.begin() + static_cast<std::ptrdiff_t>(k * d),
                         host_target.begin() + static_cast<std::ptrdiff_t>((k + 1) * d));
  }
  return out;
}

template <class T>
std::vector<TargetInfo> fixed_targets_typed(CudaContext& ctx, const ModelAParams& p,
                                            std::uint32_t first_id, std::uint32_t count) {
  switch (block_size_for_work(ModelA::parallel_work(p))) {
    case 32:
      return fixed_targets_block<T, 32>(ctx, p, first_id, count);
    case 64:
      return fixed_targets_block<T, 64>(ctx, p, first_id, count);
    case 128:
      return fixed_targets_block<T, 128>(ctx, p, first_id, count);
    default:
      return fixed_targets_block<T, 256>(ctx, p, first_id, count);
  }
}

}  // namespace

std::vector<TargetInfo> cuda_fixed_targets(const ModelAParams& p, Precision precision,
                                           std::uint32_t first_id, std::uint32_t count) {
  if (p.mode != DataMode::fixed) throw BackendError("fixed_targets: not a fixed-design cell");
  CudaContext ctx;
  return precision == Precision::f32 ? fixed_targets_typed<float>(ctx, p, first_id, count)
                                     : fixed_targets_typed<double>(ctx, p, first_id, count);
}

}  // namespace relusim
