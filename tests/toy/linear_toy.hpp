// A test-only model: a linear student learning a linear teacher by gradient descent on the
// population loss L(w) = 1/2 E|<w - w*, x>|^2 = 1/2 |w - w*|^2 (x ~ N(0, I)). It lives in
// tests/toy only and reaches the engine through the registry at run time (register_model), which
// proves docs/adding-a-model.md: a model is its own files plus one registration, and runs through
// the registry, the CPU backend, the wave loop, journals and resume, and the reports with no
// edit anywhere else.
//
// Its dynamics have a closed form: e_t = w_t - w* = (1 - eta)^t e_0. From w_0 = w* + r0 e_k
// (k = id mod d, r0 = spread (1 + id mod 5)) and |w*| = 1 the distance reaches tol first at
// t = ceil(log(tol / r0) / log|1 - eta|) for 0 < eta < 2, and grows without bound for eta > 2.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "relusim/core/hd.hpp"
#include "relusim/core/team.hpp"
#include "relusim/engine/model.hpp"
#include "relusim/engine/record.hpp"
#include "relusim/io/config.hpp"
#include "relusim/models/model_info.hpp"

namespace relusim::toy {

/// The toy's own key (io/config.hpp ModelFields).
struct ToyCell {
  double spread = 0.5;  ///< r0 = spread * (1 + id mod 5)
};

/// Resolved by resolve_common (io/config.hpp), as every model's Params: the keys the toy does not
/// read (N, B, mode, seed) are there so that one function fills them all.
struct ToyParams {
  int d = 2;
  int n_samples = 10;
  int batch = 1;
  DataMode mode = DataMode::expected;
  std::uint64_t seed = 1;
  double eta = 0.5;
  std::int64_t max_steps = 1000;
  bool early_stop = true;
  double tol = 1e-3;
  double stuck_tol = 1e-9;
  double blowup = 1e6;
  double spread = 0.5;
};

struct ToyAux {};

struct LinearToy {
  static constexpr const char* kName = "toy";
  static constexpr int kResidentThreads = 256;
  using Params = ToyParams;
  using Aux = ToyAux;
  enum Slot : int { kDistance = 0, kWeightNorm = 1 };

  template <class T>
  struct Workspace {
    T* w;      ///< the student, d
    T* wstar;  ///< the teacher, d
  };
  template <class T>
  struct Start {
    T ss;  ///< |w*|^2
  };
  template <class T>
  struct Eval {
    T ee;  ///< |w - w*|^2
    T ww;  ///< |w|^2
  };

  RELUSIM_HD static std::int64_t workspace_size(const Params& p, int) { return 2 * p.d; }
  template <class T>
  RELUSIM_HD static Workspace<T> carve(const Params& p, int, T* scratch) {
    return {scratch, scratch + p.d};
  }
  RELUSIM_HD static int parallel_work(const Params& p) { return p.d; }
  RELUSIM_HD static int weight_count(const Params& p) { return p.d; }
  template <class T>
  RELUSIM_HD static const T* weights(const Workspace<T>& ws) {
    return ws.w;
  }
  RELUSIM_HD static int prepared_doubles(const Params&) { return 0; }

  /// The distance trajectory `id` starts at (see the top of the file).
  RELUSIM_HD static double start_distance(const Params& p, std::uint32_t id) {
    return p.spread * static_cast<double>(1 + id % 5);
  }

  template <class T, class Team>
  RELUSIM_HD static void setup(Team& team, const Params& p, std::uint32_t id,
                               const Workspace<T>& ws) {
    const int kick = static_cast<int>(id % static_cast<std::uint32_t>(p.d));
    const double unit = 1.0 / hd::sqrt(static_cast<double>(p.d));
    for (int k = team.rank(); k < p.d; k += team.size()) {
      ws.wstar[k] = static_cast<T>(unit);
      ws.w[k] = static_cast<T>(unit + (k == kick ? start_distance(p, id) : 0.0));
    }
    team.sync();
  }
  template <class T, class Team>
  RELUSIM_HD static void load_prepared(Team&, const Params&, const Workspace<T>&, const double*) {}

  template <class T, class Team>
  RELUSIM_HD static Start<T> begin(Team& team, const Params& p, const Workspace<T>& ws,
                                   TrajectoryRecord&) {
    T s = T(0);
    for (int k = team.rank(); k < p.d; k += team.size())
      s += ws.wstar[k] * ws.wstar[k];
    return {team.reduce_sum(s)};
  }

  template <class T, class Team>
  RELUSIM_HD static Eval<T> evaluate(Team& team, const Params& p, std::uint32_t, std::int64_t,
                                     const Workspace<T>& ws, const Start<T>&) {
    T ee = T(0), ww = T(0);
    for (int k = team.rank(); k < p.d; k += team.size()) {
      const T e = ws.w[k] - ws.wstar[k];
      ee += e * e;
      ww += ws.w[k] * ws.w[k];
    }
    return {team.reduce_sum(ee), team.reduce_sum(ww)};
  }

  template <class T>
  RELUSIM_HD static StepStatus classify(const Params& p, const Start<T>& s, const Eval<T>& e) {
    StepStatus st;
    const double ss = static_cast<double>(s.ss);
    const double ww = static_cast<double>(e.ww);
    st.diverged = !(ww <= p.blowup * p.blowup * ss);  // also when not finite
    st.met = static_cast<double>(e.ee) < p.tol * p.tol * ss;
    // The update is eta (w - w*): at rest away from the target only when eta is tiny.
    st.small_step =
        !st.met && p.eta * p.eta * static_cast<double>(e.ee) < p.stuck_tol * p.stuck_tol * ss;
    return st;
  }

  template <class T>
  RELUSIM_HD static void describe(const Params&, const Workspace<T>&, const Start<T>& s,
                                  const Eval<T>& e, TrajectoryRecord& rec) {
    rec.slot[kDistance] = hd::sqrt(static_cast<double>(e.ee) / static_cast<double>(s.ss));
    rec.slot[kWeightNorm] = hd::sqrt(static_cast<double>(e.ww));
  }

  template <class T, class Team>
  RELUSIM_HD static void apply(Team& team, const Params& p, const Workspace<T>& ws,
                               const Eval<T>&) {
    const T eta = static_cast<T>(p.eta);
    for (int k = team.rank(); k < p.d; k += team.size())
      ws.w[k] -= eta * (ws.w[k] - ws.wstar[k]);
    team.sync();
  }

  RELUSIM_HD static void record_aux(const Aux&, TrajectoryRecord&) {}
};

/// Its registration (linear_toy.cpp).
const ModelInfo& toy_info();
ToyParams resolve_toy(const CellConfig& cell);

}  // namespace relusim::toy

namespace relusim {

template <>
struct ModelHost<toy::LinearToy> {
  static const ModelInfo& info() { return toy::toy_info(); }
  static toy::ToyParams resolve(const CellConfig& cell) { return toy::resolve_toy(cell); }
  template <class T>
  static toy::ToyAux prepare(const toy::ToyParams&, const toy::LinearToy::Workspace<T>&) {
    return {};
  }
  static void device_vectors(toy::ToyParams&, std::vector<DeviceVector>&) {}
};

static_assert(TeamModel<toy::LinearToy>, "the toy meets the model contract of engine/model.hpp");

}  // namespace relusim
