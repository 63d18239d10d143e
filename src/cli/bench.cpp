#include "bench.hpp"

#include <memory>

#include "commands.hpp"
#include "options.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/driver.hpp"
#include "relusim/engine/plan.hpp"
#include "relusim/engine/thread_pool.hpp"
#include "relusim/core/host_simd.hpp"
#include "relusim/io/config.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/census.hpp"

namespace relusim {
namespace {

using Clock = std::chrono::steady_clock;

std::string fmt_fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// FMA throughput of this machine on `threads` threads: 16 independent chains of 64-byte
/// vectors per thread (enough to hide the FMA latency), flops = 2 per lane per FMA; the vectors
/// are explicit (core/host_simd.hpp), as in the lane form the workloads run.
template <class T>
double fma_rate_gflops(int threads) {
  using V = simd::Vec<T>;
  constexpr int kChains = 16;
  constexpr long kIters = 4'000'000;
  std::vector<double> sinks(static_cast<std::size_t>(threads));
  const auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&sinks, t] {
      V acc[kChains];
      for (int l = 0; l < kChains; ++l)
        acc[l] = simd::splat(static_cast<T>(l) * T(1e-3));
      const V a = simd::splat(T(0.999999)), b = simd::splat(T(1e-7));
      for (long i = 0; i < kIters; ++i)
        for (int l = 0; l < kChains; ++l)
          acc[l] = simd::fma(acc[l], a, b);
      double s = 0.0;
      for (int l = 0; l < kChains; ++l)
        s += static_cast<double>(simd::sum(acc[l]));
      sinks[static_cast<std::size_t>(t)] = s;
    });
  for (auto& th : pool)
    th.join();
  const double sec = seconds_since(t0);
  double sink = 0.0;
  for (double s : sinks)
    sink += s;
  volatile double observed = sink;  // keeps the chains from being optimised away
  (void)observed;
  return 2.0 * kChains * simd::kWidth<T> * static_cast<double>(kIters) * threads / sec / 1e9;
}

/// The FMA peak: the best of three runs of fma_rate_gflops. Another process on the machine can
/// only slow a run down, and one disturbed run read half the two-thread peak.
template <class T>
double fma_peak_gflops(int threads) {
  double best = 0.0;
  for (int run = 0; run < 3; ++run)
    best = std::max(best, fma_rate_gflops<T>(threads));
  return best;
}

struct Workload {
  std::string name, what, toml;
  Precision precision;
  /// Floating-point operations per trajectory-step (the data term's products; documented in
  /// docs/benchmarks.md), 0 when not counted.
  double flops_per_step;
};

std::string w1(Precision p, int trials, int steps) {
  std::ostringstream s;
  s << "model = \"A\"\nmode = \"fixed\"\nN = 100\nd = 5\nregularizer = \"l2\"\nlambda = 0.001\n"
    << "teacher = \"random\"\ninit = \"gaussian\"\nearly_stop = false\nseed = 1\n"
    << "steps = " << steps << "\ntrials = " << trials << "\nprecision = \"" << to_string(p)
    << "\"\n";
  return s.str();
}

/// The names --only may list.
constexpr const char* kWorkloadNames[] = {"W1", "W2", "W3", "W4", "Kong"};

/// The items of the comma-separated --only list.
std::vector<std::string> only_items(const std::string& only) {
  std::vector<std::string> items;
  std::stringstream s(only);
  std::string item;
  while (std::getline(s, item, ','))
    items.push_back(item);
  return items;
}

/// Refuses an --only list that names no workload or one that does not exist (bad input: a
/// misspelt name would otherwise measure nothing and succeed).
void check_only(const std::string& only) {
  if (only.empty()) return;
  const std::vector<std::string> items = only_items(only);
  if (items.empty()) throw ConfigError("only", "names no workload (W1,W2,W3,W4,Kong)");
  for (const std::string& item : items)
    if (std::find(std::begin(kWorkloadNames), std::end(kWorkloadNames), item) ==
        std::end(kWorkloadNames))
      throw ConfigError("only", "unknown workload '" + item + "' (W1,W2,W3,W4,Kong)");
}

bool wanted(const std::string& only, const std::string& name) {
  if (only.empty()) return true;
  const std::vector<std::string> items = only_items(only);
  return std::find(items.begin(), items.end(), name) != items.end();
}

/// The workloads; the Kong grid's when kong_file is not empty. An unreadable kong_file is bad
/// input when `kong_asked` (--only names Kong), and otherwise skipped with a message.
std::vector<Workload> workloads(bool quick, const std::string& kong_file, bool kong_asked) {
  std::vector<Workload> out;
  for (Precision p : {Precision::f64, Precision::f32})
    out.push_back({"W1", "A fixed N=100 d=5 l2, 10^3 steps", w1(p, quick ? 200 : 10000, 1000), p,
                   4.0 * 100 * 5});
  {
    std::ostringstream s;
    s << "model = \"A\"\nmode = \"fixed\"\nN = 4096\nd = 256\nregularizer = \"l2\"\n"
      << "lambda = 0.001\nteacher = \"random\"\ninit = \"gaussian\"\nearly_stop = false\n"
      << "seed = 1\nsteps = " << (quick ? 20 : 1000) << "\ntrials = " << (quick ? 4 : 200) << "\n";
    out.push_back(
        {"W2", "A fixed N=4096 d=256 l2, with setup", s.str(), Precision::f64, 4.0 * 4096 * 256});
  }
  {
    std::ostringstream s;
    s << "model = \"C\"\nmode = \"online\"\nd = 100\nB = 200\nN = 200\nidentity = true\n"
      << "early_stop = false\ndiagnostics_every = 0\neta = 0.001\nteacher = \"spectrum\"\n"
      << "teacher_spectral = 0.6\nteacher_frobenius = 5.7\ninit = \"gaussian\"\n"
      << "init_spectral = 0.1\nseed = 1\nsteps = " << (quick ? 20 : 1000)
      << "\ntrials = " << (quick ? 4 : 100) << "\nprecision = \"float\"\n";
    // Per step: teacher and student forward passes and the weight gradient, 2 B d^2 each.
    out.push_back(
        {"W3", "C ResLink online d=100 B=200", s.str(), Precision::f32, 3.0 * 2 * 200 * 100 * 100});
  }
  {
    std::ostringstream s;
    s << "model = \"B\"\nmode = \"expected\"\nK = 5\nd = 5\nearly_stop = false\nseed = 1\n"
      << "steps = " << (quick ? 1000 : 10000) << "\ntrials = 64\n";
    // Per step: 2K^2 inner products and the 2K-term combination per unit, 2d each.
    out.push_back({"W4", "B expected K=5 d=5", s.str(), Precision::f64, 8.0 * 5 * 5 * 5});
  }
  if (!kong_file.empty()) {
    // The sweep reader's own checks: a regular, non-empty, valid sweep file (a FIFO would block,
    // /dev/null would benchmark the default cell under the Kong name).
    std::string text;
    try {
      text = load_sweep_file(kong_file).text;
    } catch (const ConfigError& e) {
      if (kong_asked) throw ConfigError("kong", "cannot read " + kong_file + ": " + e.what());
      std::cerr << "relusim bench: the Kong grid is skipped: cannot read " << kong_file
                << " (--kong FILE names it)\n";
      return out;
    }
    out.push_back(
        {"Kong", "the Kong grid (" + kong_file + "), end to end", text, Precision::f64, 0.0});
  }
  return out;
}

}  // namespace

int run_bench(const BenchOptions& o) {
  check_only(o.only);
  const std::vector<Workload> chosen = workloads(o.quick, wanted(o.only, "Kong") ? o.kong_file : "",
                                                 !o.only.empty() || o.kong_given);
  std::string note;
  std::unique_ptr<Backend> backend = make_backend(o.backend, o.threads, note);
  if (!note.empty()) std::cerr << "relusim: " << note << '\n';
  const int threads = resolve_threads(o.threads);
  std::cerr << "relusim bench: measuring this machine's FMA peak on " << threads
            << " thread(s)...\n";
  const double peak64 = fma_peak_gflops<double>(threads);
  const double peak32 = fma_peak_gflops<float>(threads);
  // The peak is the host's: on a GPU backend a fraction of it would mean nothing, so %peak is
  // left out there (the GPU's own peak is not measured).
  const bool host_peak = backend->kind() == "cpu";
  std::cout << "backend: " << backend->description() << "\n"
            << "FMA peak of the host (measured, best of 3 runs on " << threads
            << " threads): " << fmt_fixed(peak64, 1) << " GFLOP/s double, " << fmt_fixed(peak32, 1)
            << " GFLOP/s float" << (host_peak ? "" : "; %peak is left out on a GPU backend")
            << "\n\n";
  std::ostringstream csv;
  csv << "workload,precision,trajectories,trajectory_steps,seconds,traj_steps_per_s,gflops,"
         "peak_fraction,barriers_per_step,reductions_per_step\n";
  std::printf("%-5s %-7s %-45s %8s %12s %9s %13s %9s %7s %6s %6s\n", "name", "prec", "workload",
              "traj", "traj-steps", "seconds", "traj-steps/s", "GFLOP/s", "%peak", "bar/st",
              "red/st");
  for (const Workload& w : chosen) {
    if (!wanted(o.only, w.name)) continue;
    SweepConfig s = parse_sweep_text(w.toml, w.name + ".toml");
    std::int64_t trajectories = 0;
    for (const CellConfig& c : s.cells)
      trajectories += c.trials;
    const SweepPlan plan = make_plan(s.cells, backend->preferred_batch_trajectories());
    DriverOptions d;
    d.keep_records = true;
    {
      // A warm-up of the workload's shapes (one trajectory, two steps a cell): what a process
      // pays once (the CUDA context, cuBLAS, loading the kernels) is not the workload's.
      std::vector<CellConfig> warm = s.cells;
      for (CellConfig& c : warm) {
        c.trials = 1;
        c.steps = std::min<std::int64_t>(c.steps, 2);
      }
      run_plan(make_plan(warm, backend->preferred_batch_trajectories()), *backend, DriverOptions{});
    }
    const auto t0 = Clock::now();
    const std::vector<CellResult> results = run_plan(plan, *backend, d);
    const double sec = seconds_since(t0);
    std::int64_t steps = 0;
    // The block algorithm's barriers and reductions per step (engine/team_census.hpp) on the
    // block the cell's launch group gets (the group's trajectories decide it, as on the GPU),
    // each cell's weighted by the steps it took; none for a wave model, nor when a census
    // trajectory ended before its steps.
    std::vector<std::int64_t> group_trajectories(plan.cells.size(), 0);
    for (const LaunchGroup& g : plan.groups)
      for (std::size_t b : g.batches)
        group_trajectories[plan.batches[b].cell] = g.trajectories;
    double barriers = 0.0, reductions = 0.0;
    bool census = true;
    for (std::size_t c = 0; c < results.size(); ++c) {
      std::int64_t cell_steps = 0;
      for (const TrajectoryRecord& rec : results[c].records)
        cell_steps += rec.steps;  // updates applied (the last evaluation is not a step)
      steps += cell_steps;
      const CellConfig& cell = plan.cells[c];
      const std::optional<TeamCensus> tc =
          census ? team_census_of(cell, group_trajectories[c]) : std::nullopt;
      census = tc.has_value() && tc->steady;
      if (census) {
        barriers += tc->barriers_per_step * static_cast<double>(cell_steps);
        reductions += tc->reductions_per_step * static_cast<double>(cell_steps);
      }
    }
    const std::string bar = census ? fmt_fixed(barriers / static_cast<double>(steps), 2) : "";
    const std::string red = census ? fmt_fixed(reductions / static_cast<double>(steps), 2) : "";
    const double rate = static_cast<double>(steps) / sec;
    const double gflops = w.flops_per_step * rate / 1e9;
    const double peak = w.precision == Precision::f32 ? peak32 : peak64;
    const bool with_peak = w.flops_per_step > 0 && host_peak;
    const std::string prec = w.precision == Precision::f32 ? "float" : "double";
    std::printf("%-5s %-7s %-45s %8lld %12.4g %9.2f %13.4g %9s %7s %6s %6s\n", w.name.c_str(),
                prec.c_str(), w.what.c_str(), static_cast<long long>(trajectories),
                static_cast<double>(steps), sec, rate,
                w.flops_per_step > 0 ? fmt_fixed(gflops, 2).c_str() : "-",
                with_peak ? fmt_fixed(100.0 * gflops / peak, 1).c_str() : "-",
                census ? bar.c_str() : "-", census ? red.c_str() : "-");
    std::fflush(stdout);
    csv << w.name << ',' << prec << ',' << trajectories << ',' << steps << ',' << sec << ',' << rate
        << ',' << (w.flops_per_step > 0 ? std::to_string(gflops) : "") << ','
        << (with_peak ? std::to_string(gflops / peak) : "") << ',' << bar << ',' << red << '\n';
  }
  if (!o.out_dir.empty()) {
    OutputDirectory out(o.out_dir);
    out.stage("bench.csv", csv.str());
    out.commit();
    std::cerr << "relusim bench: wrote " << o.out_dir << "/bench.csv\n";
  }
  return 0;
}

}  // namespace relusim

namespace relusim::cli {

Command add_bench(CLI::App& app, const Context&) {
  struct State {
    BenchOptions options;
    std::string backend = "auto";
  };
  auto s = std::make_shared<State>();
  CLI::App* bench = app.add_subcommand(
      "bench",
      "run fixed workloads end to end (W1, W2: Model A fixed; W3: Model C online; W4: Model B "
      "expected; the Kong grid) and print trajectory-steps/s, GFLOP/s and the fraction of this "
      "machine's FMA peak, measured by the command itself (docs/benchmarks.md)");
  bench->add_option("--backend", s->backend, "cpu, cuda or auto")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  bench
      ->add_option("--threads", s->options.threads,
                   "CPU threads (0 = all; " + threads_limit() + ")")
      ->check(at_least(0, kMaxThreads));
  bench->add_flag("--quick", s->options.quick,
                  "small versions of the workloads (seconds; CI runs each once this way)");
  bench->add_option("--only", s->options.only, "comma-separated workloads: W1,W2,W3,W4,Kong");
  CLI::Option* kong =
      bench->add_option("--kong", s->options.kong_file, "the Kong grid's sweep file")
          ->default_val("examples/kong-table1.toml");
  bench->add_option("--out", s->options.out_dir, "also write DIR/bench.csv");
  return {bench, [s, kong] {
            s->options.backend = backend_kind(s->backend);
            s->options.kong_given = kong->count() > 0;
            return run_bench(s->options);
          }};
}

}  // namespace relusim::cli
