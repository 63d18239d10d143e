// W1 and W2 as a researcher would write them in C++: one trajectory per OpenMP iteration,
// row-major X, the two-pass gradient step z = Xw, g = X^T D(w)(u - z) / N - lambda w (l2,
// descent), std::mt19937_64 normals. Compiled with -O3 -march=native -fopenmp by bench/peers.sh.
// Usage: w1_loop TRAJ N D STEPS double|float   (prints the wall seconds, setup included)
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

template <class T>
double run(int traj, int n, int d, int steps) {
  const T eta = T(0.05), lambda = T(0.001);
  double checksum = 0.0;
  const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel for schedule(dynamic) reduction(+ : checksum)
  for (int k = 0; k < traj; ++k) {
    std::mt19937_64 rng(static_cast<unsigned long>(k) + 1);
    std::normal_distribution<T> normal;
    std::vector<T> x(static_cast<std::size_t>(n) * d), u(n), z(n), w(d), ws(d), g(d);
    T norm = 0;
    for (auto& v : ws) {
      v = normal(rng);
      norm += v * v;
    }
    for (auto& v : ws)
      v /= std::sqrt(norm);
    for (auto& v : w)
      v = normal(rng) * T(1) / std::sqrt(T(d));
    for (auto& v : x)
      v = normal(rng);
    for (int i = 0; i < n; ++i) {
      T s = 0;
      for (int j = 0; j < d; ++j)
        s += x[i * d + j] * ws[j];
      u[i] = s > 0 ? s : 0;
    }
    for (int t = 0; t < steps; ++t) {
      for (int i = 0; i < n; ++i) {
        T s = 0;
        for (int j = 0; j < d; ++j)
          s += x[i * d + j] * w[j];
        z[i] = s;
      }
      for (int j = 0; j < d; ++j)
        g[j] = 0;
      for (int i = 0; i < n; ++i)
        if (z[i] > 0)
          for (int j = 0; j < d; ++j)
            g[j] += (u[i] - z[i]) * x[i * d + j];
      for (int j = 0; j < d; ++j)
        w[j] += eta * (g[j] / T(n) - lambda * w[j]);
    }
    checksum += static_cast<double>(w[0]);
  }
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (checksum != checksum) std::fprintf(stderr, "nan\n");
  return sec;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: w1_loop TRAJ N D STEPS double|float\n");
    return 2;
  }
  const int traj = std::atoi(argv[1]), n = std::atoi(argv[2]), d = std::atoi(argv[3]),
            steps = std::atoi(argv[4]);
  const double sec = std::strcmp(argv[5], "float") == 0 ? run<float>(traj, n, d, steps)
                                                        : run<double>(traj, n, d, steps);
  std::printf("%.4f\n", sec);
  return 0;
}
