#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/cuda_backend.hpp"
#include "relusim/engine/launch_rule.hpp"
#include "relusim/engine/perf_model.hpp"
#include "relusim/engine/plan.hpp"
#include "relusim/engine/thread_pool.hpp"
#include "relusim/models/registry.hpp"

namespace relusim {

BackendKind backend_kind(const std::string& name) {
  if (name == "cpu") return BackendKind::cpu;
  if (name == "cuda") return BackendKind::cuda;
  if (name == "auto") return BackendKind::automatic;
  throw ConfigError("backend", "must be auto, cpu or cuda, got '" + name + "'");
}

BackendEstimate estimate_backends(const std::vector<CellConfig>& cells, int threads) {
  BackendEstimate out;
  // Cells of one launch shape share a launch group: its fixed cost and its tail are paid once.
  struct Group {
    const CellConfig* cell = nullptr;  ///< the first of the shape: its step cost stands for all
    RunShape run;
  };
  std::map<LaunchShape, Group> groups;
  for (const CellConfig& cell : cells) {
    const ModelEntry& m = model_entry(cell.model);
    const std::optional<StepCost> serial =
        m.step_cost != nullptr ? m.step_cost(cell, 1) : std::nullopt;
    if (!serial) return out;  // not modelled
    const double steps = static_cast<double>(cell.trials) * static_cast<double>(cell.steps);
    Group& g = groups[launch_shape(cell)];
    if (g.cell == nullptr) g.cell = &cell;
    g.run.trajectories += cell.trials;
    g.run.steps += steps;
    g.run.max_steps = std::max(g.run.max_steps, static_cast<double>(cell.steps));
    out.cpu_seconds += estimate_cpu_seconds(*serial, steps, threads);
  }
  out.gpu_seconds = kFirstUseSeconds;
  for (const auto& entry : groups) {
    const Group& g = entry.second;  // a named reference: lambdas cannot capture bindings (C++17)
    const ModelEntry& m = model_entry(g.cell->model);
    auto cost = [&](int b) { return *m.step_cost(*g.cell, b); };
    const int block = block_size_by_model(cost, g.run.trajectories);
    out.gpu_seconds +=
        estimate_seconds(estimate_step(cost(block), block, g.run.trajectories), g.run);
  }
  out.modelled = true;
  return out;
}

namespace {

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", s);
  return buf;
}

}  // namespace

std::unique_ptr<Backend> make_backend(BackendKind kind, int threads, std::string& note,
                                      const std::vector<CellConfig>* cells) {
  std::string why;
  switch (kind) {
    case BackendKind::cpu:
      note.clear();
      return make_cpu_backend(threads);
    case BackendKind::cuda:
      if (!cuda_device_available(why)) throw BackendError("--backend cuda: " + why);
      note = "using " + why;
      return make_cuda_backend();
    case BackendKind::automatic: {
      if (!cuda_device_available(why)) {
        note = "no usable GPU (" + why + "); using the CPU backend";
        return make_cpu_backend(threads);
      }
      if (cells == nullptr) {
        note = "using " + why;
        return make_cuda_backend();
      }
      const int n = resolve_threads(threads);
      const BackendEstimate e = estimate_backends(*cells, n);
      if (!e.modelled) {
        note = "using " + why + " (the performance model does not cover these cells)";
        return make_cuda_backend();
      }
      const std::string versus = "the performance model (docs/gpu.md) predicts " +
                                 seconds_text(e.gpu_seconds) + " on an H100 against " +
                                 seconds_text(e.cpu_seconds) + " on " + std::to_string(n) +
                                 " CPU threads";
      if (e.gpu_seconds <= e.cpu_seconds) {
        note = "using " + why + ": " + versus;
        return make_cuda_backend();
      }
      note = "using the CPU backend: " + versus;
      return make_cpu_backend(threads);
    }
  }
  throw BackendError("unknown backend");
}

}  // namespace relusim
