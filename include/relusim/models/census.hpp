// The team census of a cell (engine/team_census.hpp) through the model registry: what the
// bench prints per workload. A wave model (Model C) has no block algorithm: no census.
#pragma once

#include <optional>

#include "relusim/engine/launch_rule.hpp"
#include "relusim/engine/model.hpp"
#include "relusim/engine/perf_model.hpp"
#include "relusim/engine/team_census.hpp"
#include "relusim/io/config.hpp"

namespace relusim {

/// The census of `cell` (its precision) on the CUDA block the launch rule gives `trajectories`
/// of its shape (its launch group's; 0: the cell's own trials); none for a wave model.
template <class M>
std::optional<TeamCensus> census_model(const CellConfig& cell, std::int64_t trajectories) {
  if constexpr (WaveModel<M>) {
    (void)cell;
    (void)trajectories;
    return std::nullopt;
  } else {
    const typename M::Params p = ModelHost<M>::resolve(cell);
    const std::int64_t n = trajectories > 0 ? trajectories : cell.trials;
    return cell.precision == Precision::f32 ? team_census<M, float>(p, 0, n)
                                            : team_census<M, double>(p, 0, n);
  }
}

/// What a step of `cell` costs on a block of `block` threads; none for a model that does not
/// state it (engine/launch_rule.hpp, CostedModel).
template <class M>
std::optional<StepCost> step_cost_model(const CellConfig& cell, int block) {
  if constexpr (CostedModel<M>) {
    return M::step_cost(ModelHost<M>::resolve(cell), block, cell.precision == Precision::f64);
  } else {
    (void)cell;
    (void)block;
    return std::nullopt;
  }
}

/// The census of `cell` by its model's name (models/registry.hpp), for `trajectories` of its
/// shape (0: the cell's trials); none for a wave model.
std::optional<TeamCensus> team_census_of(const CellConfig& cell, std::int64_t trajectories = 0);

}  // namespace relusim
