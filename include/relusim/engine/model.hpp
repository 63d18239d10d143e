// The model contract: what a model type M and its host side ModelHost<M> provide, for the
// engine (the trajectory loop, the CPU backend, the CUDA runner) to run it. It is code: the
// concepts below are checked by a static_assert in each model's host header (models/<m>/host.hpp)
// in every build, GPU or not, so a model that lacks a member the CUDA runner uses fails to
// compile on a machine without nvcc too. docs/adding-a-model.md walks through it.
//
// A team model (one trajectory per team: a thread block on the GPU, one thread on the CPU)
// satisfies TeamModel. Its type M, all RELUSIM_HD and single-source:
//   kName                                the registered name ("A")
//   kResidentThreads                     the CUDA runner's block size bound (threads per SM
//                                        it aims to keep resident)
//   Params                               resolved parameters; carry `max_steps`, `early_stop`
//   Workspace<T>, Start<T>, Eval<T>, Aux the trajectory's scratch view, the constants of a
//                                        trajectory, one gradient evaluation, and what the host
//                                        preparation reports (NoAux/TargetChecks)
//   workspace_size(p, team) -> int64     doubles of scratch (T-sized words) a trajectory needs
//   carve(p, team, T* scratch) -> Workspace<T>   the same layout, pointed into scratch
//   parallel_work(p) -> int              the widest loop of a step (the team size it can use)
//   weight_count(p) -> int, weights(ws)  the final weights a record keeps
//   prepared_doubles(p) -> int           doubles the host prepares per trajectory (0: none)
//   setup(team, p, id, ws)               the start of trajectory id (deterministic in id)
//   load_prepared(team, p, ws, doubles)  the host's preparation, copied in
//   begin / evaluate / classify / describe / apply    the loop's steps (engine/trajectory.hpp);
//                                        apply takes the workspace by reference and may swap
//                                        its buffers (each rank holds its own copy of the view)
//   record_aux(aux, rec)                 the preparation's report into the record
// and ModelHost<M> (host only):
//   info() -> const ModelInfo&           its registration (model_info.hpp)
//   resolve(const CellConfig&) -> Params validated and resolved parameters
//   prepare(p, ws) -> Aux                the host preparation between setup and dynamics
//   device_vectors(p, list)              the host arrays a Params points to, which a device
//                                        backend must copy and re-point
//
// A wave model (many trajectories stepped together with batched GEMMs: Model C) satisfies
// WaveModel: M has kName, kWave = true, Params and weight_count; ModelHost<M> has info(),
// resolve() and run_wave() (below), and its CUDA file specialises cuda_run_group.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "relusim/core/team.hpp"
#include "relusim/engine/record.hpp"

namespace relusim {

struct CellConfig;
struct ModelInfo;

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

/// The team model contract for one precision T, checked with the serial team (the CUDA team
/// and ThreadedTeam have the same members, core/team.hpp).
template <class M, class T>
concept TeamModelIn = requires {
  { M::kName } -> std::convertible_to<const char*>;
  { M::kResidentThreads } -> std::convertible_to<int>;
  typename M::Params;
  typename M::Aux;
  typename M::template Workspace<T>;
  typename M::template Start<T>;
  typename M::template Eval<T>;
}
&&requires(const typename M::Params& p, typename M::Params& mutable_p,
           const typename M::template Workspace<T>& ws,
           typename M::template Workspace<T>& mutable_ws, SerialTeam& team, T* scratch,
           const double* prepared, std::uint32_t id, std::int64_t t,
           const typename M::template Start<T>& start, const typename M::template Eval<T>& e,
           TrajectoryRecord& rec, const typename M::Aux& aux, const CellConfig& cell,
           std::vector<DeviceVector>& vectors) {
  { p.max_steps } -> std::convertible_to<std::int64_t>;
  { p.early_stop } -> std::convertible_to<bool>;
  { M::workspace_size(p, 1) } -> std::convertible_to<std::int64_t>;
  { M::template carve<T>(p, 1, scratch) } -> std::same_as<typename M::template Workspace<T>>;
  { M::parallel_work(p) } -> std::convertible_to<int>;
  { M::weight_count(p) } -> std::convertible_to<int>;
  { M::weights(ws) } -> std::convertible_to<const T*>;
  { M::prepared_doubles(p) } -> std::convertible_to<int>;
  M::setup(team, p, id, ws);
  M::load_prepared(team, p, ws, prepared);
  { M::begin(team, p, ws, rec) } -> std::same_as<typename M::template Start<T>>;
  { M::evaluate(team, p, id, t, ws, start) } -> std::same_as<typename M::template Eval<T>>;
  { M::classify(p, start, e) } -> std::same_as<StepStatus>;
  M::describe(p, ws, start, e, rec);
  M::apply(team, p, mutable_ws, e);
  M::record_aux(aux, rec);
  { ModelHost<M>::info() } -> std::same_as<const ModelInfo&>;
  { ModelHost<M>::resolve(cell) } -> std::same_as<typename M::Params>;
  { ModelHost<M>::prepare(p, ws) } -> std::same_as<typename M::Aux>;
  ModelHost<M>::device_vectors(mutable_p, vectors);
};

/// A team model: the contract in both precisions (MODEL.md: every model runs in double and
/// float).
template <class M>
concept TeamModel = TeamModelIn<M, double> && TeamModelIn<M, float>;

/// A wave model's whole contract (WaveModel says only that it is one).
template <class M>
concept WaveModelContract = WaveModel<M> &&
    requires(const typename M::Params& p, const CellConfig& cell,
             const std::vector<typename M::Params>& params,
             const std::vector<std::uint32_t>& param_of, const std::vector<std::uint32_t>& ids,
             double* final_weights) {
  { M::kName } -> std::convertible_to<const char*>;
  { M::weight_count(p) } -> std::convertible_to<int>;
  { ModelHost<M>::info() } -> std::same_as<const ModelInfo&>;
  { ModelHost<M>::resolve(cell) } -> std::same_as<typename M::Params>;
  {
    ModelHost<M>::template run_wave<double>(params, param_of, ids, final_weights)
    } -> std::same_as<std::vector<TrajectoryRecord>>;
  {
    ModelHost<M>::template run_wave<float>(params, param_of, ids, final_weights)
    } -> std::same_as<std::vector<TrajectoryRecord>>;
};

/// Every model is one or the other: what each model's host header asserts.
template <class M>
concept ModelContract = TeamModel<M> || WaveModelContract<M>;

/// A model type as a value, for the registry's one switch.
template <class M>
struct ModelTag {
  using type = M;
};

}  // namespace relusim
