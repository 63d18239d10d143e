// How close W1's row loop is to what this core can do (docs/benchmarks.md, "Where W1 double's
// time goes"). The data pass of the lane form (models/a/lanes.hpp, evaluate) at d = 5 in double:
// 8 trajectories in the lanes of a 64-byte vector, rows split over 8 row lanes; per row, z = x_i.w
// (5 FMAs in order), r = u_i - z where z > 0 else 0, the active count, and acc_j += x_ij r (5
// FMAs). Each variant below prints nanoseconds per row (of 8 trajectories); the bounds change the
// arithmetic and are timings only.
//
//   build/bench/relusim_row_loop_bound [N=100] [REPS=200000]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "relusim/core/host_simd.hpp"

namespace {

using V = relusim::simd::Vec<double>;
using relusim::simd::fma;
using relusim::simd::where_positive;
constexpr int D = 5, R = relusim::simd::kWidth<double>;

struct Data {
  int n = 0;
  std::vector<V> x, u, part;  // x[i * D + j], u[i], part[j * R + l]
  V active[R] = {};
};

/// The loop as the lane form runs it.
__attribute__((noinline)) void as_written(Data& s, const V* w) {
  const V one = relusim::simd::splat(1.0);
  for (int l = 0; l < R; ++l) {
    V acc[D] = {}, active = {};
    for (int i = l; i < s.n; i += R) {
      const V* xi = s.x.data() + i * D;
      V z = {};
      for (int j = 0; j < D; ++j)
        z = fma(xi[j], w[j], z);
      const V res = s.u[i] - where_positive(z, z);
      active += where_positive(z, one);
      const V r = where_positive(z, res);
      for (int j = 0; j < D; ++j)
        acc[j] = fma(xi[j], r, acc[j]);
    }
    for (int j = 0; j < D; ++j)
      s.part[j * R + l] = acc[j];
    s.active[l] = active;
  }
}

/// Bound: the same 10 FMAs in the same dependency order, without the compare and masks.
__attribute__((noinline)) void fmas_in_order(Data& s, const V* w) {
  for (int l = 0; l < R; ++l) {
    V acc[D] = {};
    for (int i = l; i < s.n; i += R) {
      const V* xi = s.x.data() + i * D;
      V z = s.u[i];
      for (int j = 0; j < D; ++j)
        z = fma(xi[j], w[j], z);
      for (int j = 0; j < D; ++j)
        acc[j] = fma(xi[j], z, acc[j]);
    }
    for (int j = 0; j < D; ++j)
      s.part[j * R + l] = acc[j];
  }
}

/// Variant: x_i.w summed as a tree (shorter latency, other rounding).
__attribute__((noinline)) void dot_as_tree(Data& s, const V* w) {
  const V one = relusim::simd::splat(1.0);
  for (int l = 0; l < R; ++l) {
    V acc[D] = {}, active = {};
    for (int i = l; i < s.n; i += R) {
      const V* xi = s.x.data() + i * D;
      V a = xi[0] * w[0], b = xi[1] * w[1];
      a = fma(xi[2], w[2], a);
      b = fma(xi[3], w[3], b);
      a = fma(xi[4], w[4], a);
      const V z = a + b;
      active += where_positive(z, one);
      const V r = where_positive(z, s.u[i] - z);
      for (int j = 0; j < D; ++j)
        acc[j] = fma(xi[j], r, acc[j]);
    }
    for (int j = 0; j < D; ++j)
      s.part[j * R + l] = acc[j];
    s.active[l] = active;
  }
}

/// Variant: two row lanes stepped together (the same sums, two independent chains).
__attribute__((noinline)) void two_row_lanes(Data& s, const V* w) {
  const V one = relusim::simd::splat(1.0);
  for (int l = 0; l < R; l += 2) {
    V acc[D] = {}, acc2[D] = {}, active = {}, active2 = {};
    int i = l;
    for (; i + 1 < s.n; i += R) {
      const V* xi = s.x.data() + i * D;
      const V* xk = xi + D;
      V z = {}, z2 = {};
      for (int j = 0; j < D; ++j) {
        z = fma(xi[j], w[j], z);
        z2 = fma(xk[j], w[j], z2);
      }
      active += where_positive(z, one);
      active2 += where_positive(z2, one);
      const V r = where_positive(z, s.u[i] - z), r2 = where_positive(z2, s.u[i + 1] - z2);
      for (int j = 0; j < D; ++j) {
        acc[j] = fma(xi[j], r, acc[j]);
        acc2[j] = fma(xk[j], r2, acc2[j]);
      }
    }
    if (i < s.n) {  // row lane l has one row more than l + 1
      const V* xi = s.x.data() + i * D;
      V z = {};
      for (int j = 0; j < D; ++j)
        z = fma(xi[j], w[j], z);
      active += where_positive(z, one);
      const V r = where_positive(z, s.u[i] - z);
      for (int j = 0; j < D; ++j)
        acc[j] = fma(xi[j], r, acc[j]);
    }
    for (int j = 0; j < D; ++j) {
      s.part[j * R + l] = acc[j];
      s.part[j * R + l + 1] = acc2[j];
    }
    s.active[l] = active;
    s.active[l + 1] = active2;
  }
}

/// Bound: 10 independent FMAs a row with the row's 5 loads of x (no dependency between them).
__attribute__((noinline)) void independent_fmas(Data& s, const V* w) {
  V acc[2 * D] = {};
  for (int i = 0; i < s.n; ++i) {
    const V* xi = s.x.data() + i * D;
    for (int j = 0; j < D; ++j) {
      acc[j] = fma(xi[j], w[j], acc[j]);
      acc[D + j] = fma(xi[j], w[(j + 1) % D], acc[D + j]);
    }
  }
  for (int j = 0; j < D; ++j)
    s.part[j * R] = acc[j] + acc[D + j];
}

/// Bound: the row's loads alone (x_i and u_i), summed.
__attribute__((noinline)) void loads_only(Data& s, const V*) {
  V acc[D + 1] = {};
  for (int i = 0; i < s.n; ++i) {
    for (int j = 0; j < D; ++j)
      acc[j] += s.x[i * D + j];
    acc[D] += s.u[i];
  }
  for (int j = 0; j < D; ++j)
    s.part[j * R] = acc[j] + acc[D];
}

template <class F>
double ns_per_row(F f, Data& s, V* w, int reps) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) {
    f(s, w);
    for (int j = 0; j < D; ++j)  // a tiny step, so each pass depends on the last
      w[j] = fma(relusim::simd::splat(1e-9), s.part[j * R], w[j]);
  }
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sec / reps / s.n * 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  Data s;
  s.n = argc > 1 ? std::max(1, std::atoi(argv[1])) : 100;
  const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 200000;
  s.x.resize(static_cast<std::size_t>(s.n) * D);
  s.u.resize(static_cast<std::size_t>(s.n));
  s.part.resize(D * R);
  std::mt19937_64 g(1);
  std::normal_distribution<double> normal;
  for (V& v : s.x)
    for (int k = 0; k < R; ++k)
      v[k] = normal(g);
  for (V& v : s.u)
    for (int k = 0; k < R; ++k)
      v[k] = std::max(0.0, normal(g));
  V w[D];
  for (V& v : w)
    for (int k = 0; k < R; ++k)
      v[k] = 0.5 * normal(g);
  std::printf("N = %d, d = %d, %d trajectories a vector; ns per row, 3 rounds\n", s.n, D, R);
  std::printf("%-18s %8s %8s %8s\n", "variant", "1", "2", "3");
  struct Case {
    const char* name;
    void (*f)(Data&, const V*);
  };
  const Case cases[] = {{"as-written", as_written},
                        {"fmas-in-order", fmas_in_order},
                        {"dot-as-tree", dot_as_tree},
                        {"two-row-lanes", two_row_lanes},
                        {"independent-fmas", independent_fmas},
                        {"loads-only", loads_only}};
  double t[6][3];
  for (int round = 0; round < 3; ++round)  // interleaved, so a change of load hits every case
    for (int c = 0; c < 6; ++c)
      t[c][round] = ns_per_row(cases[c].f, s, w, reps);
  for (int c = 0; c < 6; ++c)
    std::printf("%-18s %8.3f %8.3f %8.3f\n", cases[c].name, t[c][0], t[c][1], t[c][2]);
}
