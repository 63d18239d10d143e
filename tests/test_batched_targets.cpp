// The batched target algorithm (batched_targets.hpp) and its host reference of cuBLAS
// (batched_ops_host.hpp): hand-computed products, LU factors that reconstruct their matrix,
// solves against the independent dense routines of linalg.hpp, Lemma 2's check against
// Cholesky and the rank, and a batch of many designs against the same designs one by one.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "relusim/core/batched_ops_host.hpp"
#include "relusim/core/blas_ops_host.hpp"
#include "relusim/core/linalg.hpp"
#include "relusim/models/a/dynamics.hpp"
#include "relusim/models/a/targets.hpp"
#include "relusim/models/registry.hpp"

namespace relusim {
namespace {

TEST(HostBatchedOps, GemmMatchesHandComputedProductsForEveryTranspose) {
  // A = [1 2 3; 4 5 6] (2 x 3), B = [7 8; 9 10; 11 12] (3 x 2), column-major, batch of 2 with
  // the second pair scaled by 2 and 3: C_1 = A B = [58 64; 139 154], C_2 = 6 C_1.
  const std::vector<double> a = {1, 4, 2, 5, 3, 6, 2, 8, 4, 10, 6, 12};
  const std::vector<double> b = {7, 9, 11, 8, 10, 12, 21, 27, 33, 24, 30, 36};
  const std::vector<double> at = {1, 2, 3, 4, 5, 6, 2, 4, 6, 8, 10, 12};         // A^T, 3 x 2
  const std::vector<double> bt = {7, 8, 9, 10, 11, 12, 21, 24, 27, 30, 33, 36};  // B^T, 2 x 3
  const std::vector<double> expect = {58, 139, 64, 154};
  HostBatchedOps ops;
  for (BlasTrans ta : {BlasTrans::none, BlasTrans::transpose}) {
    for (BlasTrans tb : {BlasTrans::none, BlasTrans::transpose}) {
      std::vector<double> c(8, -1.0);
      const bool na = ta == BlasTrans::none, nb = tb == BlasTrans::none;
      ops.gemm(ta, tb, 2, 2, 3, na ? a.data() : at.data(), na ? 2 : 3, 6, nb ? b.data() : bt.data(),
               nb ? 3 : 2, 6, c.data(), 2, 4, 2);
      for (int e = 0; e < 4; ++e) {
        EXPECT_EQ(c[static_cast<std::size_t>(e)], expect[static_cast<std::size_t>(e)]);
        EXPECT_EQ(c[static_cast<std::size_t>(e + 4)], 6 * expect[static_cast<std::size_t>(e)]);
      }
    }
  }
}

/// n x n column-major random matrices, `batch` of them.
std::vector<double> random_matrices(int n, int batch, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal;
  std::vector<double> m(static_cast<std::size_t>(n) * n * batch);
  for (double& v : m)
    v = normal(gen);
  return m;
}

std::vector<double*> pointers(std::vector<double>& m, int stride, int batch) {
  std::vector<double*> p(static_cast<std::size_t>(batch));
  for (int b = 0; b < batch; ++b)
    p[static_cast<std::size_t>(b)] = m.data() + static_cast<std::ptrdiff_t>(b) * stride;
  return p;
}

TEST(HostBatchedOps, PivotedLuReconstructsAndSolvesLikeGaussianElimination) {
  const int n = 7, batch = 5;
  const std::vector<double> original = random_matrices(n, batch, 11);
  std::vector<double> lu = original, rhs = random_matrices(n, batch, 12);
  rhs.resize(static_cast<std::size_t>(n) * batch);
  std::vector<double> x = rhs;
  std::vector<int> pivots(static_cast<std::size_t>(n) * batch), info(batch, -1);
  HostBatchedOps ops;
  auto lu_ptrs = pointers(lu, n * n, batch);
  auto x_ptrs = pointers(x, n, batch);
  ops.getrf(n, lu_ptrs.data(), n, pivots.data(), info.data(), batch);
  ops.getrs(n, 1, lu_ptrs.data(), n, pivots.data(), x_ptrs.data(), n, batch);
  for (int b = 0; b < batch; ++b) {
    EXPECT_EQ(info[static_cast<std::size_t>(b)], 0);
    const double* f = lu_ptrs[static_cast<std::size_t>(b)];
    const double* a = original.data() + static_cast<std::ptrdiff_t>(b) * n * n;
    // L U, then undo the row swaps in reverse order: must give A back.
    std::vector<double> prod(static_cast<std::size_t>(n) * n, 0.0);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        for (int k = 0; k <= std::min(i, j); ++k)
          prod[static_cast<std::size_t>(i + j * n)] += (k == i ? 1.0 : f[i + k * n]) * f[k + j * n];
    for (int c = n - 1; c >= 0; --c) {
      const int p = pivots[static_cast<std::size_t>(b * n + c)] - 1;
      ASSERT_GE(p, c);
      for (int j = 0; j < n; ++j)
        std::swap(prod[static_cast<std::size_t>(p + j * n)],
                  prod[static_cast<std::size_t>(c + j * n)]);
    }
    for (int e = 0; e < n * n; ++e)
      EXPECT_NEAR(prod[static_cast<std::size_t>(e)], a[e], 1e-12);
    // The solve agrees with linalg.hpp's row-major elimination.
    SquareMatrix m(n);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        m(i, j) = a[i + j * n];
    std::vector<double> ref(rhs.begin() + b * n, rhs.begin() + (b + 1) * n);
    ASSERT_TRUE(lu_solve(m, ref));
    for (int i = 0; i < n; ++i)
      EXPECT_NEAR(x[static_cast<std::size_t>(b * n + i)], ref[static_cast<std::size_t>(i)], 1e-10);
  }
}

TEST(HostBatchedOps, UnpivotedPivotsOfAGramMatrixAreCholeskysSquares) {
  const int n = 6;
  std::vector<double> g = random_matrices(n, 1, 21), spd(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < n; ++k)
        spd[static_cast<std::size_t>(i + j * n)] +=
            g[static_cast<std::size_t>(k + i * n)] * g[static_cast<std::size_t>(k + j * n)];
  SquareMatrix m(n), l;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      m(i, j) = spd[static_cast<std::size_t>(i + j * n)];
  ASSERT_TRUE(cholesky(m, l));
  std::vector<double> lu = spd;
  auto ptrs = pointers(lu, n * n, 1);
  int info = -1;
  HostBatchedOps().getrf(n, ptrs.data(), n, nullptr, &info, 1);
  EXPECT_EQ(info, 0);
  for (int j = 0; j < n; ++j)
    EXPECT_NEAR(lu[static_cast<std::size_t>(j + j * n)], l(j, j) * l(j, j), 1e-10 * m(j, j));
  // A zero column: info names the first zero pivot (1-based), as cuBLAS does.
  std::vector<double> singular = spd;
  for (int i = 0; i < n; ++i)
    singular[static_cast<std::size_t>(i + 2 * n)] = singular[static_cast<std::size_t>(2 + i * n)] =
        0.0;
  auto sptrs = pointers(singular, n * n, 1);
  std::vector<int> piv(n);
  HostBatchedOps().getrf(n, sptrs.data(), n, piv.data(), &info, 1);
  EXPECT_EQ(info, 3);
}

struct Design {
  std::vector<double> x, w_star;
  int active = 0;
};

Design make_design(const ModelAParams& p, std::uint32_t id) {
  Design s;
  s.x.resize(static_cast<std::size_t>(p.n_samples) * p.d);
  s.w_star.resize(static_cast<std::size_t>(p.d));
  model_a_teacher(p, id, s.w_star.data());
  for (int i = 0; i < p.n_samples; ++i) {
    double* row = s.x.data() + static_cast<std::size_t>(i) * p.d;
    fill_random_row(p.seed, id, StreamPurpose::design, static_cast<std::uint64_t>(i), p.inputs, p.d,
                    row);
    double z = 0.0;
    for (int j = 0; j < p.d; ++j)
      z += row[j] * s.w_star[static_cast<std::size_t>(j)];
    s.active += z > 0.0 ? 1 : 0;
  }
  return s;
}

TEST(BatchedTargets, PositiveDefiniteIsCholeskyWithEnoughActiveRows) {
  int below_rank = 0, cholesky_passed_below_rank = 0, checked = 0;
  for (auto [n, d] : {std::pair{10, 5}, std::pair{6, 2}, std::pair{20, 5}}) {
    ModelAParams p;
    p.n_samples = n;
    p.d = d;
    p.seed = 1;
    for (std::uint32_t id = 0; id < 1500; ++id) {
      const Design s = make_design(p, id);
      const TargetInfo t = fixed_mode_target(p, s.x.data(), s.w_star.data());
      std::vector<char> mask(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        double z = 0.0;
        for (int j = 0; j < d; ++j)
          z += s.x[static_cast<std::size_t>(i * d + j)] * s.w_star[static_cast<std::size_t>(j)];
        mask[static_cast<std::size_t>(i)] = z > 0.0;
      }
      SquareMatrix l;
      const bool chol = cholesky(masked_gram(s.x.data(), n, d, mask), l);
      if (s.active < d) {
        ++below_rank;
        cholesky_passed_below_rank += chol ? 1 : 0;
        EXPECT_FALSE(t.positive_definite) << "N=" << n << " d=" << d << " id=" << id;
      } else {
        EXPECT_EQ(t.positive_definite, chol) << "N=" << n << " d=" << d << " id=" << id;
      }
      ++checked;
    }
  }
  EXPECT_GT(below_rank, 100);  // the rank rule is exercised
  EXPECT_EQ(checked, 4500);
  // Rounding lets a relative pivot threshold alone accept a few rank-deficient Gram matrices
  // (2 of Kong's N = 10, d = 5 designs with seed 1); the rank rule catches them.
  RecordProperty("cholesky_passed_below_rank", cholesky_passed_below_rank);
}

TEST(BatchedTargets, ABatchOfMixedCellsEqualsTheSameDesignsOneByOne) {
  // Cells of one shape with every regulariser, both conventions and lambdas from 0 to large:
  // the wave's indexing, strides and per-trajectory parameters must not mix trajectories.
  std::vector<ModelAParams> cells;
  for (Regularizer reg : {Regularizer::none, Regularizer::l2, Regularizer::l1sq, Regularizer::l1})
    for (Convention conv : {Convention::descent, Convention::as_printed})
      for (double lambda : {0.0, 1e-3, 0.1}) {
        ModelAParams p;
        p.n_samples = 12;
        p.d = 3;
        p.regularizer = reg;
        p.convention = conv;
        p.lambda = lambda;
        p.teacher = TeacherKind::random;
        p.seed = 9;
        cells.push_back(p);
      }
  std::vector<std::uint32_t> param_of;
  std::vector<double> x, w_star;
  std::vector<TargetInfo> single;
  for (std::uint32_t c = 0; c < cells.size(); ++c)
    for (std::uint32_t id = 0; id < 8; ++id) {
      const Design s = make_design(cells[c], id);
      param_of.push_back(c);
      x.insert(x.end(), s.x.begin(), s.x.end());
      w_star.insert(w_star.end(), s.w_star.begin(), s.w_star.end());
      single.push_back(fixed_mode_target(cells[c], s.x.data(), s.w_star.data()));
    }
  const std::vector<TargetInfo> batch = fixed_mode_targets(
      cells.data(), param_of.data(), static_cast<int>(param_of.size()), x.data(), w_star.data());
  ASSERT_EQ(batch.size(), single.size());
  int solved_away_from_teacher = 0;
  for (std::size_t k = 0; k < batch.size(); ++k) {
    EXPECT_EQ(batch[k].target, single[k].target) << "k=" << k;
    EXPECT_EQ(batch[k].positive_definite, single[k].positive_definite);
    EXPECT_EQ(batch[k].lambda_within_bound, single[k].lambda_within_bound);
    EXPECT_EQ(batch[k].solved, single[k].solved);
    EXPECT_EQ(batch[k].target_valid, single[k].target_valid);
    EXPECT_EQ(batch[k].lambda_bound, single[k].lambda_bound);
    if (batch[k].solved &&
        batch[k].target != std::vector<double>(w_star.begin() + 3 * k, w_star.begin() + 3 * k + 3))
      ++solved_away_from_teacher;
  }
  EXPECT_GT(solved_away_from_teacher, 60);  // most regularised cells move the target
}

TEST(BatchedTargets, OpenBlasMatchesThePlainLoopOracle) {
  // The CPU backend's targets (OpenBLAS DSYRK/DGEMM, LAPACK DGETRF/DGETRS) against the plain
  // loops, on designs in the trajectory's own padded column-major layout, for every regulariser
  // and shapes from Kong's smallest to d = 40: the same flags, targets within rounding.
  int compared = 0, regularised = 0;
  for (auto [n, d] : {std::pair{10, 2}, std::pair{37, 5}, std::pair{200, 40}})
    for (Regularizer reg :
         {Regularizer::none, Regularizer::l2, Regularizer::l1sq, Regularizer::l1}) {
      ModelAParams p;
      p.n_samples = n;
      p.d = d;
      p.regularizer = reg;
      p.lambda = reg == Regularizer::none ? 0.0 : 1e-3;
      p.teacher = TeacherKind::random;
      p.seed = 5;
      const int ld = model_a_ld(p);
      std::vector<double> x, w_star;
      const int count = 6;
      for (std::uint32_t id = 0; id < count; ++id) {
        std::vector<double> scratch(static_cast<std::size_t>(model_a_workspace_size(p, 1)));
        SerialTeam team;
        const auto ws = model_a_workspace<double>(p, 1, scratch.data());
        model_a_setup(team, p, id, ws);
        x.insert(x.end(), ws.x, ws.x + static_cast<std::ptrdiff_t>(ld) * d);
        w_star.insert(w_star.end(), ws.w_star, ws.w_star + d);
      }
      const std::vector<std::uint32_t> param_of(count, 0);
      const auto blas =
          fixed_mode_targets_colmajor(&p, param_of.data(), count, x.data(), ld, w_star.data());
      const auto oracle = fixed_mode_targets_colmajor(&p, param_of.data(), count, x.data(), ld,
                                                      w_star.data(), true);
      for (int k = 0; k < count; ++k) {
        const TargetInfo& a = blas[static_cast<std::size_t>(k)];
        const TargetInfo& b = oracle[static_cast<std::size_t>(k)];
        EXPECT_EQ(a.positive_definite, b.positive_definite);
        EXPECT_EQ(a.solved, b.solved);
        EXPECT_EQ(a.target_valid, b.target_valid);
        EXPECT_EQ(a.lambda_within_bound, b.lambda_within_bound);
        EXPECT_NEAR(a.lambda_bound, b.lambda_bound, 1e-9 * std::fabs(b.lambda_bound));
        double diff = 0.0, norm = 0.0;
        for (int j = 0; j < d; ++j) {
          diff = std::max(diff, std::fabs(a.target[static_cast<std::size_t>(j)] -
                                          b.target[static_cast<std::size_t>(j)]));
          norm = std::max(norm, std::fabs(b.target[static_cast<std::size_t>(j)]));
        }
        EXPECT_LE(diff, 1e-10 * norm) << "n=" << n << " d=" << d << " k=" << k;
        regularised += a.solved && reg != Regularizer::none ? 1 : 0;
        ++compared;
      }
    }
  EXPECT_EQ(compared, 72);
  EXPECT_GT(regularised, 30);  // the sign iterations ran, not only the lambda = 0 shortcut
}

TEST(HostBlasBatchedOps, GramAndGemmMatchTheOracleOnPaddedShapes) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> g;
  // Small Gram matrices come from GEMM, larger ones from SYRK: both sides of the switch.
  for (const int n : {7, HostBlasBatchedOps::kGramByGemm + 5}) {
    const int k = 50, batch = 3;
    std::vector<double> a(static_cast<std::size_t>(k * n * batch));
    for (double& v : a)
      v = g(rng);
    std::vector<double> c1(static_cast<std::size_t>(n * n * batch)), c2 = c1;
    HostBatchedOps().gram(n, k, a.data(), k, k * n, c1.data(), n, n * n, batch);
    HostBlasBatchedOps().gram(n, k, a.data(), k, k * n, c2.data(), n, n * n, batch);
    for (std::size_t e = 0; e < c1.size(); ++e)
      EXPECT_NEAR(c1[e], c2[e], 1e-12 * k) << "n=" << n;
    for (int q = 0; q < batch; ++q)  // exactly symmetric, as every reader assumes
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < i; ++j)
          EXPECT_EQ(c2[static_cast<std::size_t>(q * n * n + i * n + j)],
                    c2[static_cast<std::size_t>(q * n * n + j * n + i)]);
    std::vector<double> p1(static_cast<std::size_t>(k * n * batch)), p2 = p1;
    HostBatchedOps().gemm(BlasTrans::none, BlasTrans::none, k, n, n, a.data(), k, k * n, c1.data(),
                          n, n * n, p1.data(), k, k * n, batch);
    HostBlasBatchedOps().gemm(BlasTrans::none, BlasTrans::none, k, n, n, a.data(), k, k * n,
                              c1.data(), n, n * n, p2.data(), k, k * n, batch);
    for (std::size_t e = 0; e < p1.size(); ++e)
      EXPECT_NEAR(p1[e], p2[e], 1e-11 * k * n) << "n=" << n;
  }
}

TEST(HostBlasBatchedOps, LuAndSolveMatchTheOracleOnBothSidesOfTheLoopOrder) {
  // Orders up to kSolveByLoops run the plain loops (bit-identical to the oracle); larger ones
  // run LAPACK's DGETRF/DGETRS (the same pivots on these well-separated columns, solutions
  // within rounding). A singular matrix reports the same info both ways.
  const int small = HostBlasBatchedOps::kSolveByLoops;
  for (const int n : {5, small, small + 1, 2 * small + 3}) {
    const int batch = 4;
    std::vector<double> a = random_matrices(n, batch, 21 + static_cast<unsigned>(n));
    for (int e = 0; e < n; ++e)  // zero the last matrix's second column: singular
      a[static_cast<std::size_t>((batch - 1) * n * n + n + e)] = 0.0;
    std::vector<double> rhs = random_matrices(n, batch, 5);
    rhs.resize(static_cast<std::size_t>(n) * batch);
    std::vector<double> lu1 = a, lu2 = a, x1 = rhs, x2 = rhs;
    std::vector<int> piv1(static_cast<std::size_t>(n) * batch), piv2 = piv1, info1(batch, -1),
                                                                info2(batch, -1);
    auto l1 = pointers(lu1, n * n, batch), l2 = pointers(lu2, n * n, batch);
    auto p1 = pointers(x1, n, batch), p2 = pointers(x2, n, batch);
    HostBatchedOps().getrf(n, l1.data(), n, piv1.data(), info1.data(), batch);
    HostBlasBatchedOps().getrf(n, l2.data(), n, piv2.data(), info2.data(), batch);
    EXPECT_EQ(info1, info2) << "n=" << n;
    EXPECT_NE(info2[static_cast<std::size_t>(batch - 1)], 0) << "n=" << n;
    EXPECT_EQ(piv1, piv2) << "n=" << n;
    HostBatchedOps().getrs(n, 1, l1.data(), n, piv1.data(), p1.data(), n, batch - 1);
    HostBlasBatchedOps().getrs(n, 1, l2.data(), n, piv2.data(), p2.data(), n, batch - 1);
    for (std::size_t e = 0; e < static_cast<std::size_t>(n) * (batch - 1); ++e) {
      if (n <= small)
        EXPECT_EQ(x1[e], x2[e]) << "n=" << n;
      else
        EXPECT_NEAR(x1[e], x2[e], 1e-9 * (1.0 + std::fabs(x1[e]))) << "n=" << n;
    }
  }
}

/// Threads of this process (Linux: one entry per thread in /proc/self/task).
int thread_count() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task"))
    ++n;
  return n;
}

TEST(HostBlasBatchedOps, SingleThreadedOpenBlasStartsNoThreadOnLaterRuns) {
  // Every CPU run calls host_blas_single_threaded. OpenBLAS 0.3.21 restarted a pool thread at
  // each openblas_set_num_threads(1) after its pool was shut down, and the thread spun on
  // sched_yield for ~0.1 s, taking a core from the trajectories of every later run.
  host_blas_single_threaded();
  std::vector<double> a(64 * 8, 0.5), c(8 * 8);
  const int before = thread_count();
  for (int run = 0; run < 3; ++run) {
    host_blas_single_threaded();
    HostBlasBatchedOps().gram(8, 64, a.data(), 64, 0, c.data(), 8, 0, 1);
  }
  EXPECT_EQ(thread_count(), before);
  EXPECT_EQ(c[0], 64 * 0.25);  // the call ran
}

}  // namespace
}  // namespace relusim
