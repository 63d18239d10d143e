// The CUDA backend's generic part, a template over the model type M (DESIGN.md "Models behind one
// seam"): one trajectory per thread block, the block's threads splitting the model's parallel
// work; the workspace lives in shared memory when it fits and in global memory otherwise; a
// block stops as soon as its trajectory is classified (engine/trajectory.hpp). Each model
// instantiates it in its own file (kernels/models/model_<m>.cu), so the ptxas report lists every
// model's kernels.
//
// A wave of trajectories runs as:
//   the model's preparation (CudaPreparation<M>: nothing by default; Model A computes targets)
//   trajectory kernel (setup, preparation loaded, run_dynamics, one record per trajectory)
// and the records come back (88 bytes a trajectory), plus final weights when asked for; the
// host adds each batch's records in id order (waves.hpp), as the CPU backend does, so a batch's
// tally does not depend on the group or the wave it ran in.
#pragma once

#include <algorithm>
#include <type_traits>
#include <vector>

#include "cuda_check.cuh"
#include "cuda_context.cuh"
#include "cuda_team.cuh"
#include "relusim/engine/backend.hpp"
#include "relusim/engine/launch_rule.hpp"
#include "relusim/engine/plan.hpp"
#include "relusim/engine/trajectory.hpp"
#include "relusim/engine/waves.hpp"
#include "relusim/engine/model.hpp"

namespace relusim {

/// Blocks per SM the register allocation must allow (launch_rule.hpp): M::kResidentThreads
/// threads per SM, a register cap of 65536 / M::kResidentThreads. Model A: 768 (a cap of 85;
/// without it ptxas capped the double, 256-thread kernel at 64 registers and spilled ~100 bytes,
/// and with no cap it took 180+ registers). Model B: 384 (a cap of 168; at 85 and at 128 its
/// double kernels spilled). The warp team: two thirds of that.
template <class M, int kBlock>
inline constexpr int kMinBlocksPerSm = min_blocks_per_sm(M::kResidentThreads, kBlock);

/// The workspace of block k: dynamic shared memory, or its slice of global memory.
template <class T>
__device__ T* block_scratch(T* global_ws, std::int64_t ws_elems, int use_shared) {
  extern __shared__ double dynamic_shared[];  // double-aligned, also used for float workspaces
  return use_shared ? reinterpret_cast<T*>(dynamic_shared) : global_ws + blockIdx.x * ws_elems;
}

/// One trajectory per block: setup, the prepared data (if any), the dynamics, the record.
template <class M, class T, int kBlock>
__global__ void __launch_bounds__(kBlock, kMinBlocksPerSm<M, kBlock>)
    trajectory_kernel(const typename M::Params* params, const LaunchItem* items,
                      const double* prepared, const typename M::Aux* aux, T* global_ws,
                      std::int64_t ws_elems, int use_shared, TrajectoryRecord* records,
                      double* final_w) {
  __shared__ typename CudaTeamFor<kBlock>::Shared team_shared;
  CudaTeamFor<kBlock> team(team_shared);
  const std::int64_t k = blockIdx.x;
  const LaunchItem item = items[k];
  const typename M::Params& p = params[item.param];
  typename M::template Workspace<T> ws =
      M::template carve<T>(p, kBlock, block_scratch(global_ws, ws_elems, use_shared));
  M::setup(team, p, item.id, ws);
  if (prepared != nullptr) M::load_prepared(team, p, ws, prepared + k * M::prepared_doubles(p));
  TrajectoryRecord rec;
  rec.id = item.id;
  run_dynamics<M, T>(team, p, item.id, ws, rec, static_cast<NoObserver*>(nullptr));
  if (team.rank() == 0) {
    if (aux != nullptr) M::record_aux(aux[k], rec);
    records[k] = rec;
  }
  if (final_w != nullptr) {
    const int n = M::weight_count(p);
    const T* w = M::weights(ws);
    for (int j = team.rank(); j < n; j += kBlock)
      final_w[k * n + j] = static_cast<double>(w[j]);
  }
}

/// Parameters of a group on the device, with the host arrays they point to.
template <class M>
struct DeviceParams {
  std::vector<typename M::Params> host;
  std::vector<DeviceBuffer<double>> vectors;
  DeviceBuffer<typename M::Params> table;

  DeviceParams(const std::vector<typename M::Params>& resolved, cudaStream_t stream)
      : host(resolved) {
    std::vector<typename M::Params> device = host;
    std::vector<DeviceVector> fields;
    for (typename M::Params& dp : device)
      ModelHost<M>::device_vectors(dp, fields);
    vectors.reserve(fields.size());
    for (const DeviceVector& f : fields) {
      vectors.emplace_back(f.length);
      vectors.back().upload(*f.field, f.length, stream);
      *f.field = vectors.back().get();
    }
    table = DeviceBuffer<typename M::Params>(device.size());
    table.upload(device.data(), device.size(), stream);
  }
};

/// Where a model's workspace lives for a block size; raises the shared-memory limit of the
/// given kernels when needed.
struct WorkspacePlacement {
  std::int64_t elems = 0;
  std::int64_t bytes = 0;
  bool in_shared = false;

  WorkspacePlacement(std::int64_t elements, std::size_t elem_size, std::size_t team_bytes,
                     int max_shared_optin, std::initializer_list<const void*> kernels) {
    elems = elements;
    bytes = elems * static_cast<std::int64_t>(elem_size);
    const auto tb = static_cast<std::int64_t>(team_bytes);
    in_shared = bytes <= 48 * 1024 - tb;
    if (!in_shared && bytes <= max_shared_optin - tb) {
      for (const void* kernel : kernels)
        RELUSIM_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                                static_cast<int>(bytes)));
      in_shared = true;
    }
  }
  std::size_t shared_bytes() const { return in_shared ? static_cast<std::size_t>(bytes) : 0; }
  int use_shared() const { return in_shared ? 1 : 0; }
};

/// The model's preparation between setup and dynamics on the device. The default has none;
/// a model with one (Model A: its targets) specialises this in its .cu file.
template <class M, class T, int kBlock>
struct CudaPreparation {
  CudaPreparation(CudaContext&, const std::vector<TrajectoryBatch>&, const DeviceParams<M>&,
                  std::size_t, const WorkspacePlacement&) {}
  static std::int64_t bytes_per_trajectory(const typename M::Params&) { return 0; }
  static void allow_shared(const WorkspacePlacement&) {}
  const double* prepared() const { return nullptr; }
  const typename M::Aux* aux() const { return nullptr; }
  void run(const LaunchItem*, const LaunchItem*, const std::uint32_t*, std::size_t) {}
};

/// All batches of a group (one launch shape) in one launch per wave, block size kBlock.
template <class M, class T, int kBlock>
std::vector<BatchResult> run_group_block(CudaContext& ctx,
                                         const std::vector<TrajectoryBatch>& batches) {
  cudaStream_t stream = ctx.stream.get();
  std::vector<typename M::Params> resolved;
  for (const TrajectoryBatch& b : batches)
    resolved.push_back(ModelHost<M>::resolve(*b.cell));
  const DeviceParams<M> params(resolved, stream);
  const typename M::Params& shape = resolved.front();
  const int n_weights = M::weight_count(shape);

  bool want_weights = false;
  std::int64_t total = 0;
  for (const TrajectoryBatch& b : batches) {
    want_weights = want_weights || b.keep_weights;
    total += b.count;
  }

  using Prep = CudaPreparation<M, T, kBlock>;
  const WorkspacePlacement place(M::workspace_size(shape, kBlock), sizeof(T),
                                 sizeof(typename CudaTeamFor<kBlock>::Shared), ctx.max_shared_optin,
                                 {reinterpret_cast<const void*>(trajectory_kernel<M, T, kBlock>)});
  Prep::allow_shared(place);
  std::size_t free_bytes = 0, total_bytes = 0;
  RELUSIM_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
  const auto extra = static_cast<std::int64_t>(
      sizeof(TrajectoryRecord) + sizeof(LaunchItem) + sizeof(std::uint32_t) +
      sizeof(double) * static_cast<std::size_t>(n_weights) +
      static_cast<std::size_t>(Prep::bytes_per_trajectory(shape)));
  const std::int64_t wave =
      gpu_wave_size(total, place.bytes, extra, place.in_shared, device_budget_bytes(free_bytes));
  const auto wave_n = static_cast<std::size_t>(wave);
  DeviceBuffer<T> global_ws(place.in_shared ? 0 : wave_n * static_cast<std::size_t>(place.elems));
  DeviceBuffer<LaunchItem> dev_items(wave_n);
  DeviceBuffer<std::uint32_t> dev_keys(wave_n);
  DeviceBuffer<double> final_w(want_weights ? wave_n * static_cast<std::size_t>(n_weights) : 0);
  DeviceBuffer<TrajectoryRecord> records(wave_n);
  Prep prep(ctx, batches, params, wave_n, place);

  auto exec = [&](const LaunchItem* items, const std::uint32_t* keys, std::size_t n) {
    dev_items.upload(items, n, stream);
    dev_keys.upload(keys, n, stream);
    prep.run(items, dev_items.get(), dev_keys.get(), n);
    trajectory_kernel<M, T, kBlock>
        <<<static_cast<unsigned>(n), kBlock, place.shared_bytes(), stream>>>(
            params.table.get(), dev_items.get(), prep.prepared(), prep.aux(), global_ws.get(),
            place.elems, place.use_shared(), records.get(), want_weights ? final_w.get() : nullptr);
    RELUSIM_CUDA_CHECK(cudaGetLastError());
    WaveOutput w;
    w.records.resize(n);
    records.download(w.records.data(), n, stream);
    if (want_weights) {
      w.final_weights.resize(n * static_cast<std::size_t>(n_weights));
      final_w.download(w.final_weights.data(), n * static_cast<std::size_t>(n_weights), stream);
    }
    ctx.stream.synchronize();
    return w;
  };
  return run_in_waves(batches, n_weights, wave, exec);
}

/// The block size rule (launch_rule.hpp): the performance model's choice for the group's
/// shape and trajectories where the model states its step's cost, else its parallel work.
template <class M, class T>
std::vector<BatchResult> run_group_typed(CudaContext& ctx,
                                         const std::vector<TrajectoryBatch>& batches) {
  const typename M::Params shape = ModelHost<M>::resolve(*batches.front().cell);
  std::int64_t trajectories = 0;
  for (const TrajectoryBatch& b : batches)
    trajectories += b.count;
  switch (block_size_for<M>(shape, trajectories, std::is_same_v<T, double>)) {
    case 32:
      return run_group_block<M, T, 32>(ctx, batches);
    case 64:
      return run_group_block<M, T, 64>(ctx, batches);
    case 128:
      return run_group_block<M, T, 128>(ctx, batches);
    default:
      return run_group_block<M, T, 256>(ctx, batches);
  }
}

/// Entry point of a model's instantiation (defined in kernels/models/model_<m>.cu).
template <class M>
std::vector<BatchResult> cuda_run_group(CudaContext& ctx,
                                        const std::vector<TrajectoryBatch>& batches) {
  return batches.front().cell->precision == Precision::f32
             ? run_group_typed<M, float>(ctx, batches)
             : run_group_typed<M, double>(ctx, batches);
}

}  // namespace relusim
