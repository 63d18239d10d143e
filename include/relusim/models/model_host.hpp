// The host side of a model type M (specialised in models/<m>/host.hpp):
//
//   static const ModelInfo& info();                         its registration (model_info.hpp)
//   static typename M::Params resolve(const CellConfig&);   validated and resolved parameters
//   template <class T>
//   static typename M::Aux prepare(const typename M::Params&, const typename M::Workspace<T>&);
//        the host preparation between setup and dynamics (Model A: its target, written into the
//        workspace); models without one return M::Aux{}
//   static void device_vectors(typename M::Params&, std::vector<DeviceVector>&);
//        the host arrays a Params points to, which a device backend must copy and re-point
#pragma once

#include <concepts>
#include <cstddef>
#include <vector>

namespace relusim {

template <class M>
struct ModelHost;

/// A pointer field of a Params that refers to host memory, and its length in doubles.
struct DeviceVector {
  const double** field;
  std::size_t length;
};

/// A model that steps waves of trajectories with batched GEMMs (Model C) instead of one team per
/// trajectory: it declares `static constexpr bool kWave = true`, and its ModelHost provides,
/// instead of prepare and device_vectors,
///   template <class T> static std::vector<TrajectoryRecord> run_wave(params, param_of, ids,
///        double* final_weights)   the host run of one wave (the CPU backend, tests)
/// while its CUDA file specialises cuda_run_group.
template <class M>
concept WaveModel = requires {
  requires M::kWave;
};

/// A model whose host side can also run trajectories across vector lanes (g++ host code only):
///   static bool lanes_eligible(const Params&)     the cells it does so for
///   template <class T> static void run_lanes(params, next, emit, observer)
///        runs every trajectory next() hands out (std::optional<std::uint32_t>), calling
///        emit(record, final_weights) as each ends; every trajectory's numbers are what it would
///        get alone
/// The CPU backend and run_cpu_trajectory use it wherever lanes_eligible says so.
template <class M>
concept LaneModel = requires(const typename M::Params& p) {
  { ModelHost<M>::lanes_eligible(p) } -> std::convertible_to<bool>;
};

/// A model type as a value, for the registry's one switch.
template <class M>
struct ModelTag {
  using type = M;
};

}  // namespace relusim
