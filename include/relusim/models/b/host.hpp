// Model B's host side (engine/model.hpp): registration and resolution; no preparation.
#pragma once

#include <vector>

#include "relusim/io/config.hpp"
#include "relusim/models/b/cell.hpp"
#include "relusim/models/b/model.hpp"
#include "relusim/engine/model.hpp"
#include "relusim/models/model_info.hpp"

namespace relusim {

/// Validates a Model B cell and resolves it; the returned pointers refer into `cell`.
ModelBParams resolve_model_b(const CellConfig& cell);

/// Model B's reduced (x, y) field of the symmetric start for the cell's K
/// (src/models/b/field.cpp; ModelInfo::field).
Field model_b_field(const CellConfig& cell, const FieldGrid& grid);

template <>
struct ModelHost<ModelB> {
  static const ModelInfo& info();
  static ModelBParams resolve(const CellConfig& cell) { return resolve_model_b(cell); }
  template <class T>
  static NoAux prepare(const ModelBParams&, const ModelBWorkspace<T>&) {
    return {};
  }
  static void device_vectors(ModelBParams& p, std::vector<DeviceVector>& out) {
    const auto kd = static_cast<std::size_t>(p.K) * static_cast<std::size_t>(p.d);
    const auto ktd = static_cast<std::size_t>(p.K_teacher) * static_cast<std::size_t>(p.d);
    if (p.teacher_matrix != nullptr) out.push_back({&p.teacher_matrix, ktd});
    if (p.init_matrix != nullptr) out.push_back({&p.init_matrix, kd});
    if (p.top_weights != nullptr) out.push_back({&p.top_weights, static_cast<std::size_t>(p.K)});
    if (p.teacher_top_weights != nullptr)
      out.push_back({&p.teacher_top_weights, static_cast<std::size_t>(p.K_teacher)});
  }
};

/// The contract (engine/model.hpp), checked in every build.
static_assert(TeamModel<ModelB>, "ModelB does not meet the model contract of engine/model.hpp");

}  // namespace relusim
