// Model C's host side: registration and resolution (engine/model.hpp), and the host run of a
// wave on OpenBLAS (the CPU backend, the trace command and the tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <vector>

#include "relusim/core/blas_ops_host.hpp"
#include "relusim/engine/record.hpp"
#include "relusim/io/config.hpp"
#include "relusim/models/c/cell.hpp"
#include "relusim/models/c/model.hpp"
#include "relusim/models/c/setup.hpp"
#include "relusim/models/c/wave.hpp"
#include "relusim/engine/model.hpp"
#include "relusim/models/model_info.hpp"

namespace relusim {

/// Validates a Model C cell and resolves it; the returned pointers refer into `cell`.
ModelCParams resolve_model_c(const CellConfig& cell);

template <class T, class Observer>
std::vector<TrajectoryRecord> run_model_c_on_host(const std::vector<ModelCParams>& params,
                                                  const std::vector<std::uint32_t>& param_of,
                                                  const std::vector<std::uint32_t>& ids,
                                                  double* final_weights, Observer* observer);

template <>
struct ModelHost<ModelC> {
  static const ModelInfo& info();
  static ModelCParams resolve(const CellConfig& cell) { return resolve_model_c(cell); }
  /// The wave model's host run (engine/model.hpp): trajectories ids[k] of
  /// params[param_of[k]] as one wave on OpenBLAS; final weights (n d^2, row-major) if asked for.
  template <class T>
  static std::vector<TrajectoryRecord> run_wave(const std::vector<ModelCParams>& params,
                                                const std::vector<std::uint32_t>& param_of,
                                                const std::vector<std::uint32_t>& ids,
                                                double* final_weights = nullptr) {
    return run_model_c_on_host<T, NoWaveObserver>(params, param_of, ids, final_weights, nullptr);
  }
  /// The trace command: trajectory `id`'s state every `every` steps as CSV on `os` (the
  /// model's trace columns, then W when d <= 10); returns its record.
  static TrajectoryRecord trace(const ModelCParams& p, bool single, std::uint32_t id,
                                std::int64_t every, std::ostream& os);
};

/// What a wave's cells must share (d, B, N, mode, diagnostics_every, steps).
inline bool same_wave_shape(const ModelCParams& a, const ModelCParams& b) {
  return a.d == b.d && a.batch == b.batch && a.mode == b.mode && a.max_steps == b.max_steps &&
         a.diagnostics_every == b.diagnostics_every &&
         (a.mode != DataMode::fixed || a.n_samples == b.n_samples);
}

/// Batch columns and training-set columns of a wave of this shape.
inline int model_c_rows(const ModelCParams& p) {
  return p.mode == DataMode::expected ? 0 : p.batch;
}
inline int model_c_train(const ModelCParams& p) {
  return p.mode == DataMode::fixed ? p.n_samples : 0;
}

/// A trajectory's record from its final state. A state whose diagnostics are not finite has
/// diverged; a diverged trajectory's slots are NaN, and the reports average over the others.
TrajectoryRecord model_c_record(const ModelCState& s, const ModelCParams& p, std::uint32_t id);

/// Row-major W (W[r][c]) of trajectory k of a column-major wave array.
template <class T>
void model_c_row_major(const T* w, int d, double* out) {
  for (int r = 0; r < d; ++r)
    for (int c = 0; c < d; ++c)
      out[static_cast<std::size_t>(r) * d + c] =
          static_cast<double>(w[static_cast<std::size_t>(c) * d + r]);
}

/// Runs trajectories ids[k] of params[param_of[k]] as one wave on the host (OpenBLAS) and
/// returns their records; final weights (n d^2, row-major per trajectory) when asked for.
template <class T, class Observer>
std::vector<TrajectoryRecord> run_model_c_on_host(const std::vector<ModelCParams>& params,
                                                  const std::vector<std::uint32_t>& param_of,
                                                  const std::vector<std::uint32_t>& ids,
                                                  double* final_weights, Observer* observer) {
  const ModelCParams& shape = params.at(param_of.at(0));
  const int n = static_cast<int>(ids.size()), d = shape.d;
  std::size_t bytes = 0;
  carve_model_c_wave<T>(n, d, model_c_rows(shape), model_c_train(shape), nullptr, bytes);
  std::vector<std::byte> arena(bytes + 256);
  auto* base = reinterpret_cast<std::byte*>((reinterpret_cast<std::uintptr_t>(arena.data()) + 255) /
                                            256 * 256);
  ModelCWave<T> w =
      carve_model_c_wave<T>(n, d, model_c_rows(shape), model_c_train(shape), base, bytes);
  w.params = params.data();
  w.param_of = param_of.data();
  w.ids = ids.data();
  const auto dd = static_cast<std::size_t>(d) * static_cast<std::size_t>(d);
  std::vector<double> w0(dd), wstar(dd);
  for (int k = 0; k < n; ++k) {
    const ModelCParams& p = params[param_of[static_cast<std::size_t>(k)]];
    if (!same_wave_shape(p, shape))
      throw std::invalid_argument("run_model_c_on_host: a wave's cells must share their shape");
    w.state[k] = ModelCState{};
    model_c_start(p, ids[static_cast<std::size_t>(k)], w0.data(), wstar.data(),
                  w.state[k].threshold);
    for (std::size_t e = 0; e < dd; ++e) {
      w.w[k * dd + e] = static_cast<T>(w0[e]);
      w.ws[k * dd + e] = static_cast<T>(wstar[e]);
    }
  }
  run_model_c_wave<T>(HostBlasOps{}, w, shape, observer);
  std::vector<TrajectoryRecord> records(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) {
    records[static_cast<std::size_t>(k)] =
        model_c_record(w.state[k], params[param_of[static_cast<std::size_t>(k)]],
                       ids[static_cast<std::size_t>(k)]);
    if (final_weights != nullptr) model_c_row_major(w.w + k * dd, d, final_weights + k * dd);
  }
  return records;
}

/// The contract (engine/model.hpp), checked in every build.
static_assert(WaveModelContract<ModelC>,
              "ModelC does not meet the model contract of engine/model.hpp");

}  // namespace relusim
