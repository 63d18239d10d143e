// One trajectory's path as CSV (`relusim trace`, and the experiments of `relusim reproduce`):
// the step, the model's trace columns, then the weights. trace_model<M> is what the registry
// (models/registry.hpp) calls for a model; trace_trajectory looks the model up by name.
#pragma once

#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "relusim/core/team.hpp"
#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/engine/model.hpp"
#include "relusim/engine/record.hpp"
#include "relusim/io/config.hpp"
#include "relusim/io/param_parsing.hpp"  // report_number
#include "relusim/models/model_info.hpp"

namespace relusim {

/// Runs trajectory `id` of `cell` on the CPU and writes its header and every `every`-th step
/// (and the last) to `os`. Model C writes W only when d <= 10. Returns the trajectory's record.
TrajectoryRecord trace_trajectory(const CellConfig& cell, std::uint32_t id, std::int64_t every,
                                  std::ostream& os);

namespace detail {

/// Prints a trajectory's state every `every` steps as CSV: the model's trace columns, then the
/// weights.
struct TraceObserver {
  static constexpr bool enabled = true;
  std::ostream* os;
  std::int64_t every;
  const ModelInfo* model;
  std::int64_t last_printed = -1;
  template <class T>
  void on_step(std::int64_t t, const TrajectoryRecord& rec, const T* w, int n) {
    if (t % every != 0) return;
    print(t, rec, w, n);
  }
  template <class T>
  void print(std::int64_t t, const TrajectoryRecord& rec, const T* w, int n) {
    *os << t;
    for (const auto& [name, slot] : model->trace_columns)
      *os << ',' << report_number(rec.slot[slot]);
    for (int j = 0; j < n; ++j)
      *os << ',' << report_number(static_cast<double>(w[j]));
    *os << '\n';
    // A closed pipe or a full disk ends the trace with an error, not a torn CSV with exit 0.
    if (!*os)
      throw std::runtime_error("cannot write the trace: the output refused it at step " +
                               std::to_string(t));
    last_printed = t;
  }
};

template <class M, class T>
TrajectoryRecord trace_typed(const typename M::Params& p, std::uint32_t id, TraceObserver& obs,
                             std::vector<double>& final_w) {
  std::vector<T> scratch(static_cast<std::size_t>(M::workspace_size(p, 1)));
  SerialTeam team;
  final_w.assign(static_cast<std::size_t>(M::weight_count(p)), 0.0);
  return run_cpu_trajectory<M, T>(team, p, id, scratch.data(), &obs, final_w.data());
}

}  // namespace detail

/// trace_trajectory for a model M (its arguments checked).
template <class M>
TrajectoryRecord trace_model(const CellConfig& cell, std::uint32_t id, std::int64_t every,
                             std::ostream& os) {
  using namespace detail;
  const ModelInfo& model = ModelHost<M>::info();
  const typename M::Params p = ModelHost<M>::resolve(cell);
  os << "step";
  for (const auto& [name, slot] : model.trace_columns)
    os << ',' << name;
  if constexpr (WaveModel<M>) {
    // Model C: W (row-major) only when it is small enough to read.
    if (p.d <= 10)
      for (int j = 0; j < M::weight_count(p); ++j)
        os << ',' << model.weight_prefix << j;
    os << '\n';
    return ModelHost<M>::trace(p, cell.precision == Precision::f32, id, every, os);
  } else {
    for (int j = 0; j < M::weight_count(p); ++j)
      os << ',' << model.weight_prefix << j;
    os << '\n';
    TraceObserver obs{&os, every, &model};
    std::vector<double> w;
    const TrajectoryRecord rec = cell.precision == Precision::f32
                                     ? trace_typed<M, float>(p, id, obs, w)
                                     : trace_typed<M, double>(p, id, obs, w);
    if (obs.last_printed != rec.steps) obs.print(rec.steps, rec, w.data(), M::weight_count(p));
    return rec;
  }
}

}  // namespace relusim
