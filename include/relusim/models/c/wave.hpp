// Model C steps a wave of trajectories at once (DESIGN.md: large per-trajectory state): batched
// GEMMs plus the element-wise steps of models/c/dynamics.hpp, written once over a batched-ops
// back end `Ops`:
//   HostBlasOps   (core/blas_ops_host.hpp)   OpenBLAS, one GEMM per trajectory, serial loops;
//   CublasWaveOps (kernels/models/model_c.cu) cuBLAS strided-batched GEMM and kernel launches.
// Ops provides gemm<T>(ta, tb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc,
// strideC, batch) (column-major), for_each(count, functor), count_active(state, n) and
// synchronize(). An active mask stops finished trajectories; the GEMMs run over the whole wave.
//
// One step t of an online or fixed run (d x d matrices, d x B batches per trajectory):
//   Z = W^T X,  Zs = W*^T X (+ [X], X)         two GEMMs (B x d by d x d)
//   M = (2/B) r sigma'(Z), r = f - f*           element-wise
//   G = X M^T,  W <- W - eta G                  one GEMM, element-wise
// Expected mode and the diagnostics (loss, g, <-grad L, W* - W>) use Gram matrices:
//   gram = E^T E, cross = Es^T E; coefficients; -grad L = Es alpha + E beta + gamma u/|u|.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "relusim/core/blas.hpp"
#include "relusim/models/c/dynamics.hpp"

namespace relusim {

/// Lays a wave's arrays out in one block of memory (`base` null: only counts). Returns the
/// wave; `bytes` gets the size of the block. Every array starts on a 256-byte boundary.
template <class T>
ModelCWave<T> carve_model_c_wave(int n, int d, int rows, int n_train, std::byte* base,
                                 std::size_t& bytes) {
  std::size_t off = 0;
  auto take = [&](auto*& ptr, std::size_t count) {
    using E = std::remove_reference_t<decltype(*ptr)>;
    off = (off + 255) / 256 * 256;
    ptr = base != nullptr ? reinterpret_cast<E*>(base + off) : nullptr;
    off += count * sizeof(E);
  };
  ModelCWave<T> w;
  w.n = n;
  w.d = d;
  w.rows = rows;
  w.n_train = n_train;
  const auto un = static_cast<std::size_t>(n), ud = static_cast<std::size_t>(d);
  const std::size_t dd = ud * ud, batch = ud * static_cast<std::size_t>(rows);
  const std::size_t train = ud * static_cast<std::size_t>(n_train);
  take(w.w, un * dd);
  take(w.ws, un * dd);
  take(w.grad, un * dd);
  take(w.e, un * dd);
  take(w.es, un * dd);
  take(w.gram, un * dd);
  take(w.cross, un * dd);
  take(w.x, un * batch);
  take(w.z, un * batch);
  take(w.zs, un * batch);
  take(w.x_train, un * train);
  take(w.perm, un * static_cast<std::size_t>(n_train));
  take(w.norm_u, un * ud);
  take(w.norm_s, un * ud);
  take(w.gamma, un * ud);
  take(w.vec, un * ud);
  take(w.vec2, un * ud);
  take(w.col, un * ud);
  take(w.state, un);
  bytes = off;
  return w;
}

/// No observer (every backend run).
struct NoWaveObserver {
  static constexpr bool enabled = false;
  std::int64_t every = 0;
  template <class T>
  void on_step(std::int64_t, const ModelCWave<T>&) {}
};

namespace model_c {

/// The diagnostics of the current state: loss, g, <-grad L, W* - W> and -grad L in w.grad.
template <class T, class Ops>
void diagnose(const Ops& ops, const ModelCWave<T>& w, bool all, std::int64_t t) {
  const std::int64_t nd = static_cast<std::int64_t>(w.n) * w.d;
  const int d = w.d;
  const std::int64_t dd = w.dd();
  ops.for_each(nd, EffectiveWeights<T>{w, all});
  ops.gemm(BlasTrans::transpose, BlasTrans::none, d, d, d, T(1), w.e, d, dd, w.e, d, dd, T(0),
           w.gram, d, dd, w.n);
  ops.gemm(BlasTrans::transpose, BlasTrans::none, d, d, d, T(1), w.es, d, dd, w.e, d, dd, T(0),
           w.cross, d, dd, w.n);
  ops.for_each(nd, UnitNorms<T>{w, all});
  ops.for_each(nd, Coefficients<T>{w, all});
  ops.gemm(BlasTrans::none, BlasTrans::none, d, d, d, T(1), w.es, d, dd, w.cross, d, dd, T(0),
           w.grad, d, dd, w.n);
  ops.gemm(BlasTrans::none, BlasTrans::none, d, d, d, T(1), w.e, d, dd, w.gram, d, dd, T(1), w.grad,
           d, dd, w.n);
  ops.for_each(nd, FinishGradient<T>{w, all});
  ops.for_each(w.n, ReduceDiagnostics<T>{w, all, t});
}

/// |D|_2 of every trajectory's D in w.e (PowerStart), from the start vector in w.vec: power
/// iteration on D^T D, into state.dist_2.
template <class T, class Ops>
void power_iteration(const Ops& ops, const ModelCWave<T>& w) {
  const int d = w.d;
  const std::int64_t dd = w.dd();
  for (int it = 0; it < kPowerIterations; ++it) {
    ops.gemm(BlasTrans::none, BlasTrans::none, d, 1, d, T(1), w.e, d, dd, w.vec, d, d, T(0), w.vec2,
             d, d, w.n);
    ops.gemm(BlasTrans::transpose, BlasTrans::none, d, 1, d, T(1), w.e, d, dd, w.vec2, d, d, T(0),
             w.vec, d, d, w.n);
    ops.for_each(w.n, PowerNormalize<T>{w, it + 1 == kPowerIterations});
  }
}

/// One minibatch step t of every active trajectory (online or fixed mode).
template <class T, class Ops>
void minibatch_step(const Ops& ops, const ModelCWave<T>& w, const ModelCParams& shape,
                    std::int64_t t) {
  int count = shape.batch, first = 0;
  if (shape.mode == DataMode::fixed) {
    const std::int64_t per_epoch = (shape.n_samples + shape.batch - 1) / shape.batch;
    const auto chunk = static_cast<int>(t % per_epoch);
    first = chunk * shape.batch;
    count = std::min(shape.batch, shape.n_samples - first);
    if (chunk == 0 && shape.batch < shape.n_samples)
      ops.for_each(w.n, ShuffleEpoch<T>{w, t / per_epoch});
  }
  const int d = w.d;
  const std::int64_t dd = w.dd(), db = static_cast<std::int64_t>(d) * w.rows;
  ops.for_each(static_cast<std::int64_t>(w.n) * count, SampleInputs<T>{w, t, count, first});
  ops.gemm(BlasTrans::transpose, BlasTrans::none, d, count, d, T(1), w.w, d, dd, w.x, d, db, T(0),
           w.z, d, db, w.n);
  ops.gemm(BlasTrans::transpose, BlasTrans::none, d, count, d, T(1), w.ws, d, dd, w.x, d, db, T(0),
           w.zs, d, db, w.n);
  ops.for_each(static_cast<std::int64_t>(w.n) * count, Residual<T>{w, count});
  ops.gemm(BlasTrans::none, BlasTrans::transpose, d, d, count, T(1), w.x, d, db, w.z, d, db, T(0),
           w.grad, d, dd, w.n);
}

}  // namespace model_c

/// Runs a wave whose w, ws, params, param_of, ids and state (threshold set, the rest default)
/// are in place, to the end of its longest trajectory; then fills every state's diagnostics
/// and |W - W*|_2. `shape` gives what the wave's cells share: d, batch, N, mode,
/// diagnostics_every and the step budget. The observer (host memory only) sees the wave every
/// `every` steps, after the diagnostics.
template <class T, class Ops, class Observer = NoWaveObserver>
void run_model_c_wave(const Ops& ops, const ModelCWave<T>& w, const ModelCParams& shape,
                      Observer* observer = nullptr) {
  using namespace model_c;
  const std::int64_t nd = static_cast<std::int64_t>(w.n) * w.d;
  const int d = w.d;
  const std::int64_t dd = w.dd();
  if (shape.mode == DataMode::fixed)
    ops.for_each(static_cast<std::int64_t>(w.n) * w.n_train, MakeTrainingSet<T>{w});
  // The teacher's constant part of the loss.
  ops.for_each(nd, EffectiveWeights<T>{w, true});
  ops.gemm(BlasTrans::transpose, BlasTrans::none, d, d, d, T(1), w.es, d, dd, w.es, d, dd, T(0),
           w.gram, d, dd, w.n);
  ops.for_each(w.n, TeacherLoss<T>{w});
  ops.for_each(nd, UpdateColumns<T>{w, false});
  const std::int64_t every = shape.diagnostics_every;
  for (std::int64_t t = 0;; ++t) {
    bool observe = false;
    if constexpr (Observer::enabled)
      observe = observer != nullptr && observer->every > 0 && t % observer->every == 0;
    // The diagnostics of the state at t, then its classification (vanilla converges on them).
    const bool fresh = shape.mode == DataMode::expected || (every > 0 && t % every == 0) ||
                       t >= shape.max_steps || observe;
    if (fresh) diagnose(ops, w, false, t);
    ops.for_each(w.n, Classify<T>{w, t, fresh});
    if (ops.count_active(w.state, w.n) == 0) break;
    if constexpr (Observer::enabled) {
      if (observe) {
        ops.synchronize();
        observer->on_step(t, w);
      }
    }
    if (shape.mode != DataMode::expected) minibatch_step(ops, w, shape, t);
    ops.for_each(nd, UpdateColumns<T>{w, true});
  }
  // The end: diagnostics of every final state (phase I may end there too), |W - W*|_2.
  diagnose(ops, w, true, -1);
  ops.for_each(nd, PowerStart<T>{w});
  power_iteration(ops, w);
  ops.synchronize();
}

}  // namespace relusim
