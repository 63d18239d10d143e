#include "relusim/models/b/theory.hpp"

#include <cmath>

#include "relusim/core/team.hpp"
#include "relusim/models/b/model.hpp"

namespace relusim {

double tian_saddle_x(int K) {
  const double k = K;
  return (std::sqrt(k - 1.0) - std::acos(1.0 / std::sqrt(k)) + M_PI) / (M_PI * k);
}

SymmetricField symmetric_field(int K, double x, double y) {
  // Unit j: w_j = x e_j + y S_j, S_j = sum_{j' != j} e_j', |w_j| = n = sqrt(x^2 + (K-1) y^2).
  // Angles: to e_j (phi_s), to e_j' (psi_s), to w_j' (psi). Sum over j' of Tian (13):
  //   (pi - phi_s) e_j + (pi - psi_s) S_j - pi w_j - (pi - psi) [(K-1) y e_j + (x + (K-2) y) S_j]
  //   + (sin phi_s + (K-1) sin psi_s - (K-1) n sin psi) (x e_j + y S_j) / n,  all over 2 pi.
  const double k = K;
  const double n = std::sqrt(x * x + (k - 1.0) * y * y);
  // Every unit zero: with 1[z > 0] at z = 0 (MODEL.md §2.1) no unit is active and nothing moves;
  // the angles below would divide by n = 0.
  if (n == 0.0) return {0.0, 0.0};
  auto angle = [](double c) { return std::acos(std::fmax(-1.0, std::fmin(1.0, c))); };
  const double phi_s = angle(x / n), psi_s = angle(y / n);
  const double psi = angle((2.0 * x * y + (k - 2.0) * y * y) / (n * n));
  const double sines =
      std::sin(phi_s) + (k - 1.0) * std::sin(psi_s) - (k - 1.0) * n * std::sin(psi);
  const double dx = (M_PI - phi_s) - M_PI * x - (M_PI - psi) * (k - 1.0) * y + sines * x / n;
  const double dy = (M_PI - psi_s) - M_PI * y - (M_PI - psi) * (x + (k - 2.0) * y) + sines * y / n;
  return {dx / (2.0 * M_PI), dy / (2.0 * M_PI)};
}

double symmetric_loss(int K, double x, double y) {
  const double k = K;
  const double n = std::sqrt(x * x + (k - 1.0) * y * y);
  // E[relu(a.x) relu(b.x)] over N(0, I) for |a| |b| = m and cos(angle) = c.
  auto pair = [](double m, double c) {
    const double t = std::acos(std::fmax(-1.0, std::fmin(1.0, c)));
    return m * (std::sin(t) + (M_PI - t) * std::cos(t)) / (2.0 * M_PI);
  };
  const double teacher = k * 0.5 + k * (k - 1.0) * pair(1.0, 0.0);  // sum_{j,q} E[relu relu]
  if (n == 0.0) return 0.5 * teacher;                               // the student outputs 0
  const double student =
      k * 0.5 * n * n + k * (k - 1.0) * pair(n * n, (2.0 * x * y + (k - 2.0) * y * y) / (n * n));
  const double cross = k * pair(n, x / n) + k * (k - 1.0) * pair(n, y / n);
  return std::fmax(0.0, 0.5 * (student - 2.0 * cross + teacher));
}

std::vector<double> model_b_expected_update(int K, int d, const std::vector<double>& w,
                                            const std::vector<double>& w_star,
                                            const std::vector<double>& a, double* loss) {
  return model_b_expected_update(K, K, d, w, w_star, a, a, loss);
}

std::vector<double> model_b_expected_update(int K, int K_teacher, int d,
                                            const std::vector<double>& w,
                                            const std::vector<double>& w_star,
                                            const std::vector<double>& a,
                                            const std::vector<double>& a_teacher, double* loss) {
  ModelBParams p;
  p.K = K;
  p.K_teacher = K_teacher;
  p.d = d;
  p.mode = DataMode::expected;
  std::vector<double> scratch(static_cast<std::size_t>(ModelB::workspace_size(p, 1)));
  const ModelBWorkspace<double> ws = ModelB::carve<double>(p, 1, scratch.data());
  for (int e = 0; e < K * d; ++e)
    ws.w[e] = w[static_cast<std::size_t>(e)];
  for (int e = 0; e < K_teacher * d; ++e)
    ws.w_star[e] = w_star[static_cast<std::size_t>(e)];
  for (int j = 0; j < K; ++j)
    ws.a[j] = a.empty() ? 1.0 : a[static_cast<std::size_t>(j)];
  for (int j = 0; j < K_teacher; ++j)
    ws.at[j] = a_teacher.empty() ? 1.0 : a_teacher[static_cast<std::size_t>(j)];
  SerialTeam team;
  TrajectoryRecord rec;
  const auto start = ModelB::begin(team, p, ws, rec);
  const auto e = ModelB::evaluate(team, p, 0, 0, ws, start);
  if (loss != nullptr) *loss = e.loss;
  return std::vector<double>(ws.delta, ws.delta + K * d);
}

SymmetricField projected_symmetric_field(int K, double x, double y) {
  const auto uk = static_cast<std::size_t>(K);
  std::vector<double> w(uk * uk), w_star(uk * uk, 0.0);
  for (std::size_t j = 0; j < uk; ++j) {
    w_star[j * uk + j] = 1.0;
    for (std::size_t k = 0; k < uk; ++k)
      w[j * uk + k] = j == k ? x : y;
  }
  const std::vector<double> delta = model_b_expected_update(K, K, w, w_star, {});
  // Unit 0's update in the basis (e_0, S_0): its e_0 and e_1 coordinates.
  return {delta[0], K > 1 ? delta[1] : 0.0};
}

}  // namespace relusim
