// The one registry of models: a run-time name to a model. It holds the one list of models
// (models/list.hpp) and whatever register_model<M>() adds at run time (a test's model, a
// plug-in): for each, a ModelEntry with its registration and the typed runs the CPU backend and
// the trace command call. `with_model` is the compile-time switch over the list, for code that
// needs the type itself (the CUDA backend, whose kernels exist for the list's models only, and
// the typed tests). Code that needs a model is generic, or a template over the model type
// reached through one of the two.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/cpu_run.hpp"
#include "relusim/engine/model.hpp"
#include "relusim/io/config.hpp"
#include "relusim/models/census.hpp"
#include "relusim/models/list.hpp"
#include "relusim/models/model_info.hpp"
#include "relusim/models/trace.hpp"

namespace relusim {

namespace detail {

template <class... M>
std::string model_names_text(ModelList<M...>) {
  std::string s;
  const char* names[] = {M::kName...};
  for (std::size_t i = 0; i < sizeof...(M); ++i)
    s += std::string(i == 0 ? "" : (i + 1 == sizeof...(M) ? " or " : ", ")) + names[i];
  return s;
}

/// "A, B or C"
std::string names_text(const std::vector<std::string>& names);

template <class F, class M, class... Rest>
decltype(auto) dispatch_model(const std::string& name, F& f) {
  if (name == M::kName) return f(ModelTag<M>{});
  if constexpr (sizeof...(Rest) > 0) {
    return dispatch_model<F, Rest...>(name, f);
  } else {
    throw ConfigError("model", "no model '" + name + "' among the built-in models (" +
                                   model_names_text(Models{}) + ")");
  }
}

template <class F, class... M>
decltype(auto) dispatch_model_in(ModelList<M...>, const std::string& name, F& f) {
  return dispatch_model<F, M...>(name, f);
}

}  // namespace detail

/// Calls f(ModelTag<M>{}) for the built-in model named `name` (models/list.hpp); throws
/// ConfigError("model") for any other name.
template <class F>
decltype(auto) with_model(const std::string& name, F&& f) {
  return detail::dispatch_model_in(Models{}, name, f);
}

/// Calls f(ModelTag<M>{}) for every model of the list, in its order.
template <class F>
void for_each_model(F&& f) {
  [&]<class... M>(ModelList<M...>) { (f(ModelTag<M>{}), ...); }(Models{});
}

/// What the registry keeps of a model.
struct ModelEntry {
  const ModelInfo* info = nullptr;  ///< its registration (name, keys, theory, columns)
  /// The CPU backend's run of one launch group of the model's cells (engine/cpu_run.hpp).
  std::vector<BatchResult> (*run_cpu)(const std::vector<TrajectoryBatch>&, int threads) = nullptr;
  /// One trajectory's path as CSV (models/trace.hpp).
  TrajectoryRecord (*trace)(const CellConfig&, std::uint32_t id, std::int64_t every,
                            std::ostream&) = nullptr;
  /// Barriers and reductions per step of its block algorithm (models/census.hpp).
  std::optional<TeamCensus> (*census)(const CellConfig&, std::int64_t trajectories) = nullptr;
  /// What a step of the cell costs on a block (engine/perf_model.hpp); none: not modelled.
  std::optional<StepCost> (*step_cost)(const CellConfig&, int block) = nullptr;
  bool built_in = false;  ///< on the list (models/list.hpp): the CUDA backend has its kernels
};

/// The entry of model M.
template <class M>
ModelEntry make_model_entry(bool built_in) {
  static_assert(ModelContract<M>, "a model satisfies the contract of engine/model.hpp");
  return {&ModelHost<M>::info(), &cpu_run_group<M>,   &trace_model<M>,
          &census_model<M>,      &step_cost_model<M>, built_in};
}

/// The entry of the model named `name`; throws ConfigError("model") naming the models if none.
const ModelEntry& model_entry(const std::string& name);

/// Adds a model outside the list at run time (before any job that uses it runs; not
/// thread-safe). It runs on the CPU backend and everywhere the registry reaches: sweeps, plans,
/// journals and resume, shards, reports, trace. Throws std::logic_error if the name is taken.
void add_model(const ModelEntry& entry);
template <class M>
void register_model() {
  add_model(make_model_entry<M>(false));
}

}  // namespace relusim
