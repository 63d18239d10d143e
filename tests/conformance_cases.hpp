// The cells every model runs through the conformance suite (test_conformance.cpp) and the
// GPU-against-CPU comparison (test_gpu.cpp): every data mode, both precisions.
#pragma once

#include <vector>

#include <gtest/gtest.h>

#include "relusim/io/config.hpp"
#include "relusim/models/registry.hpp"

namespace relusim::testing {

/// The one list of models (models/list.hpp) as GoogleTest's type list.
template <class L>
struct GTestTypes;
template <class... M>
struct GTestTypes<ModelList<M...>> {
  using type = ::testing::Types<M...>;
};
using AllModels = GTestTypes<Models>::type;

template <class M>
std::vector<CellConfig> conformance_cells();

/// Model A: a regularised cell in every mode and precision.
template <>
inline std::vector<CellConfig> conformance_cells<ModelA>() {
  std::vector<CellConfig> cells;
  for (DataMode mode : {DataMode::fixed, DataMode::online, DataMode::expected}) {
    for (Precision prec : {Precision::f64, Precision::f32}) {
      CellConfig c;
      c.mode = mode;
      c.precision = prec;
      c.n_samples = 12;
      c.batch = 4;
      c.d = 3;
      c.of<ModelACell>().regularizer = Regularizer::l2;
      c.of<ModelACell>().lambda = 0.002;
      c.trials = 50;
      c.steps = 3000;
      c.seed = 11;
      cells.push_back(c);
    }
  }
  return cells;
}

/// Model B: K = 3 units in d = 4, in every mode and precision, from Gaussian starts; a random
/// teacher with uneven top weights; and teachers of 2 and 4 units in every mode.
template <>
inline std::vector<CellConfig> conformance_cells<ModelB>() {
  std::vector<CellConfig> cells;
  for (DataMode mode : {DataMode::fixed, DataMode::online, DataMode::expected}) {
    for (Precision prec : {Precision::f64, Precision::f32}) {
      CellConfig c;
      set_parameter(c, "model", std::string("B"));
      c.of<ModelBCell>().K = 3;
      c.d = 4;
      c.mode = mode;
      c.precision = prec;
      c.n_samples = 24;
      c.batch = 6;
      c.eta = 0.1;
      c.trials = 50;
      c.steps = 2000;
      c.seed = 5;
      cells.push_back(c);
    }
  }
  CellConfig c = cells.front();
  c.teacher = TeacherKind::random;
  c.of<ModelBCell>().top_weights = {1.0, -0.5, 2.0};
  c.init = InitKind::noise;
  c.of<ModelBCell>().noise_level = 10.0;
  cells.push_back(c);
  // Students wider and narrower than their teacher, each with top weights of its own, in every
  // mode (criterion loss: no unit-by-unit match exists).
  for (DataMode mode : {DataMode::fixed, DataMode::online, DataMode::expected}) {
    for (int kt : {2, 4}) {
      CellConfig u = cells.front();
      u.mode = mode;
      u.of<ModelBCell>().K_teacher = kt;
      u.of<ModelBCell>().teacher_top_weights =
          kt == 2 ? std::vector<double>{1.5, 0.5} : std::vector<double>{1.0, 1.0, 0.5, 1.0};
      u.criterion = Criterion::loss;
      u.tol = 1e-4;
      u.init = InitKind::gaussian;
      cells.push_back(u);
    }
  }
  return cells;
}

/// Model C: d = 4; first three online double cells of one wave shape (ResLink relu, vanilla
/// prelu, ResLink prelu at another eta), then fixed (minibatches of a training set) and expected
/// mode, and float.
template <>
inline std::vector<CellConfig> conformance_cells<ModelC>() {
  std::vector<CellConfig> cells;
  auto make = [](DataMode mode, Precision prec) {
    CellConfig c;
    set_parameter(c, "model", std::string("C"));
    c.d = 4;
    c.mode = mode;
    c.precision = prec;
    c.n_samples = 40;
    c.batch = 8;
    c.eta = 0.1;
    c.steps = 300;
    c.trials = 50;
    c.seed = 9;
    c.of<ModelCCell>().teacher_matrix_kind = MatrixKind::spectrum;
    c.of<ModelCCell>().teacher_spectral = 0.4;
    c.of<ModelCCell>().teacher_frobenius = 0.6;
    c.of<ModelCCell>().diagnostics_every = 5;
    return c;
  };
  cells.push_back(make(DataMode::online, Precision::f64));
  CellConfig v = make(DataMode::online, Precision::f64);
  v.of<ModelCCell>().identity = false;
  v.of<ModelCCell>().prelu = true;
  v.of<ModelCCell>().slope = 0.2;
  cells.push_back(v);
  CellConfig e = make(DataMode::online, Precision::f64);
  e.of<ModelCCell>().prelu = true;
  e.of<ModelCCell>().slope = 0.1;
  e.eta = 0.05;
  cells.push_back(e);
  for (DataMode mode : {DataMode::fixed, DataMode::expected})
    cells.push_back(make(mode, Precision::f64));
  for (DataMode mode : {DataMode::online, DataMode::fixed, DataMode::expected})
    cells.push_back(make(mode, Precision::f32));
  return cells;
}

}  // namespace relusim::testing
