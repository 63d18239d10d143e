// Model A's host side (engine/model.hpp): registration, resolution of a cell into
// ModelAParams, and the preparation between setup and dynamics, which computes the target
// (w* when lambda = 0, else w_hat; models/a/targets.hpp).
#pragma once

#include <type_traits>
#include <vector>

#include "relusim/io/config.hpp"
#include "relusim/models/a/cell.hpp"
#include "relusim/core/host_simd.hpp"
#include "relusim/models/a/lanes.hpp"
#include "relusim/models/a/model.hpp"
#include "relusim/models/a/targets.hpp"
#include "relusim/engine/model.hpp"
#include "relusim/models/model_info.hpp"

namespace relusim {

/// ||w*|| for a Model A cell (the random teacher has teacher_norm, the others their own norm).
double teacher_norm_of(const CellConfig& cell);

/// Validates a Model A cell and resolves radii and scales into the plain parameters the
/// single-source code runs on. The returned pointers refer into `cell`, which must outlive it.
ModelAParams resolve_model_a(const CellConfig& cell);

/// The target of the trajectory whose setup filled `ws` (host, double precision).
template <class T>
TargetInfo model_a_target(const ModelAParams& p, const ModelAWorkspace<T>& ws) {
  std::vector<double> w_star(ws.w_star, ws.w_star + p.d);
  if (p.mode == DataMode::fixed) {
    const std::uint32_t param_of = 0;
    const int ld = model_a_ld(p);
    if constexpr (std::is_same_v<T, double>) {  // the design is already in double
      return std::move(
          fixed_mode_targets_colmajor(&p, &param_of, 1, ws.x, ld, w_star.data()).front());
    } else {
      const std::size_t size = static_cast<std::size_t>(ld) * static_cast<std::size_t>(p.d);
      std::vector<double> x(ws.x, ws.x + size);
      return std::move(
          fixed_mode_targets_colmajor(&p, &param_of, 1, x.data(), ld, w_star.data()).front());
    }
  }
  return expected_mode_target(p, w_star.data());
}

/// Targets of trajectories [first_id, first_id + count) computed on the host with `threads`
/// threads: setup in the run's precision, then model_a_target (the CUDA backend's host path).
std::vector<TargetInfo> model_a_batch_targets(const ModelAParams& p, Precision precision,
                                              std::uint32_t first_id, std::uint32_t count,
                                              int threads);

/// Model A's 2-D field (d = 2, fixed or expected mode), for trajectory `id`'s design and teacher
/// (src/models/a/field.cpp; ModelInfo::field).
Field model_a_field(const CellConfig& cell, std::uint32_t id, const FieldGrid& grid);

template <>
struct ModelHost<ModelA> {
  static const ModelInfo& info();
  static ModelAParams resolve(const CellConfig& cell) { return resolve_model_a(cell); }

  template <class T>
  static TargetChecks prepare(const ModelAParams& p, const ModelAWorkspace<T>& ws) {
    const TargetInfo info = model_a_target(p, ws);
    for (int j = 0; j < p.d; ++j)
      ws.target[j] = static_cast<T>(info.target[static_cast<std::size_t>(j)]);
    return info;
  }

#if RELUSIM_HOST_SIMD
  /// Fixed-mode cells run on the host kWidth trajectories at a time (models/a/lanes.hpp).
  static bool lanes_eligible(const ModelAParams& p) {
    return ModelALanes<double>::eligible(p);
  }
  template <class T, class Next, class Emit, class Observer>
  static void run_lanes(const ModelAParams& p, Next&& next, Emit&& emit, Observer* observer) {
    ModelALanes<T>(p).run(next, emit, observer);
  }
#endif

  static void device_vectors(ModelAParams& p, std::vector<DeviceVector>& out) {
    if (p.teacher_vector != nullptr)
      out.push_back({&p.teacher_vector, static_cast<std::size_t>(p.d)});
    if (p.init_vector != nullptr) out.push_back({&p.init_vector, static_cast<std::size_t>(p.d)});
  }
};

/// The contract (engine/model.hpp), checked in every build.
static_assert(TeamModel<ModelA>, "ModelA does not meet the model contract of engine/model.hpp");

}  // namespace relusim
