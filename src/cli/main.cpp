// relusim: the command line. Commands: run, sweep, theory, trace.
// Exit codes: 0 success, 1 failure, 2 bad input.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <new>
#include <sstream>

#include <CLI/CLI.hpp>

#include "relusim/engine/cpu_trajectory.hpp"
#include "relusim/io/config.hpp"
#include "relusim/models/b/theory.hpp"
#include "relusim/models/registry.hpp"
#include "relusim/engine/driver.hpp"
#include "relusim/engine/plan.hpp"
#include "relusim/io/progress.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/a/theory.hpp"

namespace relusim {
namespace {

/// Options shared by run and sweep.
struct CommonOptions {
  std::string backend = "auto";
  int threads = 0;
  std::string out_dir;
  bool write_trajectories = false;
  std::string progress = "auto";
  std::int64_t batch_trajectories = 0;  // 0: the backend's preference
};

void add_common_options(CLI::App& app, CommonOptions& o) {
  app.add_option("--backend", o.backend,
                 "where trajectories run: auto (GPU if usable, else CPU), cpu, cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  app.add_option("--threads", o.threads, "CPU backend threads (0 = all hardware threads)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option(
      "--out", o.out_dir,
      "directory for summary.csv and summary.json (written only when the run completes)");
  app.add_flag("--trajectories", o.write_trajectories,
               "also write trajectories.csv (one row per trajectory) into --out");
  app.add_option("--progress", o.progress,
                 "progress bar on stderr: auto (when stderr is a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  app.add_option("--batch-trajectories", o.batch_trajectories,
                 "trajectories handed to the backend at once; 0 = the backend's preference (CPU "
                 "4096, CUDA 65536). Results do not depend on it.")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

/// Adds one --KEY option per parameter of any model; values are kept as text and parsed once
/// the model is known. A key several models share with different meanings lists each.
void add_cell_options(CLI::App& app, std::map<std::string, std::string>& values) {
  for (const std::string& key : all_parameter_keys()) {
    const auto regs = parameter_registrations(key);
    const ParamInfo& first = *regs.front().second;
    std::string help;
    std::vector<std::string> seen;
    std::vector<std::string> helps;
    for (const auto& [model, info] : regs)
      if (std::find(helps.begin(), helps.end(), info->help) == helps.end())
        helps.push_back(info->help);
    for (const auto& [model, info] : regs) {
      if (std::find(seen.begin(), seen.end(), info->help) != seen.end()) continue;
      seen.push_back(info->help);
      std::string h = info->help;
      if (helps.size() > 1 && h.rfind("model ", 0) != 0) h = "model " + model + ": " + h;
      if (!info->choices.empty() && key != "model") {
        h += " {";
        for (std::size_t i = 0; i < info->choices.size(); ++i)
          h += (i ? "," : "") + info->choices[i];
        h += "}";
      }
      help += (help.empty() ? "" : "\n") + h;
    }
    if (regs.size() < model_names().size()) {
      std::string owners;
      for (const auto& [model, info] : regs)
        owners += (owners.empty() ? "" : ", ") + model;
      if (help.rfind("model ", 0) != 0) help = "(model " + owners + ") " + help;
    }
    const char* type = "TEXT";
    switch (first.type) {
      case ParamType::integer:
        type = "INT";
        break;
      case ParamType::real:
        type = "FLOAT";
        break;
      case ParamType::boolean:
        type = "BOOL";
        break;
      case ParamType::choice:
        type = "NAME";
        break;
      case ParamType::vector_or_choice:
        type = "NAME|VECTOR";
        break;
    }
    CellConfig defaults;
    if (regs.front().first != defaults.model) set_parameter(defaults, "model", regs.front().first);
    app.add_option("--" + key, values[key], help)
        ->type_name(type)
        ->default_str(first.get(defaults));
  }
}

CellConfig cell_from_options(const std::map<std::string, std::string>& values, CLI::App& app) {
  CellConfig cell;
  if (app.get_option("--model")->count() > 0)
    set_parameter(cell, "model", parse_param_text(common_parameter("model"), values.at("model")));
  for (const std::string& key : all_parameter_keys()) {
    if (key == "model" || app.get_option("--" + key)->count() == 0) continue;
    const ParamInfo& p = find_parameter(cell.model, key);
    p.set(cell, parse_param_text(p, values.at(key)));
  }
  validate(cell);
  return cell;
}

BackendKind backend_kind(const std::string& s) {
  if (s == "cpu") return BackendKind::cpu;
  if (s == "cuda") return BackendKind::cuda;
  return BackendKind::automatic;
}

std::string command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i)
    s += (i ? " " : "") + std::string(argv[i]);
  return s;
}

int run_cells(std::vector<CellConfig> cells, const std::vector<std::string>& swept,
              const nlohmann::json& definition, const CommonOptions& o, const std::string& cmd) {
  // Everything that can fail on input fails before any work: the cells were validated when
  // they were read, the plan checks them again, the output directory is created now.
  std::string note;
  std::unique_ptr<Backend> backend = make_backend(backend_kind(o.backend), o.threads, note);
  if (!note.empty()) std::cerr << "relusim: " << note << '\n';
  const auto cap = o.batch_trajectories > 0 ? static_cast<std::uint32_t>(o.batch_trajectories)
                                            : backend->preferred_batch_trajectories();
  SweepPlan plan = make_plan(std::move(cells), cap);
  std::unique_ptr<OutputDirectory> out;
  if (!o.out_dir.empty()) out = std::make_unique<OutputDirectory>(o.out_dir);
  std::cerr << "relusim: " << plan.cells.size() << " cell(s), " << plan.total_trajectories
            << " trajectories on " << backend->description() << '\n';

  const bool show = o.progress == "always" || (o.progress == "auto" && isatty(STDERR_FILENO));
  ProgressBar bar(std::cerr, show);
  DriverOptions dopt;
  dopt.keep_records = o.write_trajectories;
  dopt.progress = [&bar](std::int64_t done, std::int64_t total) { bar.update(done, total); };
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<CellResult> results = run_plan(plan, *backend, dopt);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bar.finish();

  print_table(std::cout, plan.cells, results,
              table_keys(swept, plan.cells.empty() ? std::string("A") : plan.cells.front().model));
  std::cerr << "relusim: " << plan.total_trajectories << " trajectories in " << std::fixed
            << std::setprecision(2) << seconds << " s\n";
  if (out) {
    RunProvenance run{cmd, backend->description(), seconds};
    out->stage("summary.csv", summary_csv(plan.cells, results));
    out->stage("summary.json", summary_json(plan.cells, results, run, definition).dump(2) + "\n");
    if (o.write_trajectories) out->stage("trajectories.csv", trajectories_csv(plan.cells, results));
    out->commit();
    std::cerr << "relusim: wrote " << o.out_dir << "/summary.csv, summary.json"
              << (o.write_trajectories ? ", trajectories.csv" : "") << '\n';
  }
  return 0;
}

/// Prints a trajectory's state every `every` steps as CSV: the model's trace columns, then the
/// weights.
struct TraceObserver {
  static constexpr bool enabled = true;
  std::ostream* os;
  std::int64_t every;
  const ModelInfo* model;
  std::int64_t last_printed = -1;
  template <class T>
  void on_step(std::int64_t t, const TrajectoryRecord& rec, const T* w, int n) {
    if (t % every != 0) return;
    print(t, rec, w, n);
  }
  template <class T>
  void print(std::int64_t t, const TrajectoryRecord& rec, const T* w, int n) {
    *os << t;
    for (const auto& [name, slot] : model->trace_columns)
      *os << ',' << rec.slot[slot];
    for (int j = 0; j < n; ++j)
      *os << ',' << static_cast<double>(w[j]);
    *os << '\n';
    last_printed = t;
  }
};

template <class M, class T>
TrajectoryRecord trace_typed(const typename M::Params& p, std::uint32_t id, TraceObserver& obs,
                             std::vector<double>& final_w) {
  std::vector<T> scratch(static_cast<std::size_t>(M::workspace_size(p, 1)));
  SerialTeam team;
  final_w.assign(static_cast<std::size_t>(M::weight_count(p)), 0.0);
  return run_cpu_trajectory<M, T>(team, p, id, scratch.data(), &obs, final_w.data());
}

int run_trace(const CellConfig& cell, std::int64_t id, std::int64_t every) {
  if (id < 0 || id >= cell.trials) throw ConfigError("trajectory", "must lie in [0, trials)");
  const ModelInfo& model = model_info(cell.model);
  return with_model(cell.model, [&](auto tag) {
    using M = typename decltype(tag)::type;
    const typename M::Params p = ModelHost<M>::resolve(cell);
    std::cout << std::setprecision(10) << "step";
    for (const auto& [name, slot] : model.trace_columns)
      std::cout << ',' << name;
    const auto tid = static_cast<std::uint32_t>(id);
    TrajectoryRecord r;
    if constexpr (WaveModel<M>) {
      // Model C: W (row-major) only when it is small enough to read.
      if (p.d <= 10)
        for (int j = 0; j < M::weight_count(p); ++j)
          std::cout << ',' << model.weight_prefix << j;
      std::cout << '\n';
      r = ModelHost<M>::trace(p, cell.precision == Precision::f32, tid, every, std::cout);
    } else {
      for (int j = 0; j < M::weight_count(p); ++j)
        std::cout << ',' << model.weight_prefix << j;
      std::cout << '\n';
      TraceObserver obs{&std::cout, every, &model};
      std::vector<double> w;
      r = cell.precision == Precision::f32 ? trace_typed<M, float>(p, tid, obs, w)
                                           : trace_typed<M, double>(p, tid, obs, w);
      if (obs.last_printed != r.steps) obs.print(r.steps, r, w.data(), M::weight_count(p));
    }
    std::cerr << "relusim: trajectory " << id << ": "
              << model.outcomes[static_cast<std::size_t>(r.outcome)] << " after " << r.steps
              << " steps (";
    for (std::size_t i = 0; i < model.trace_columns.size(); ++i)
      std::cerr << (i ? ", " : "") << model.trace_columns[i].first << ' '
                << r.slot[model.trace_columns[i].second];
    std::cerr << ")\n";
    return 0;
  });
}

int run_theory_b(std::int64_t k, bool have_xy, double x, double y) {
  if (k < 1 || k > 128) throw ConfigError("K", "must lie in [1, 128]");
  const int K = static_cast<int>(k);
  std::cout << std::setprecision(10);
  std::cout << "K                          " << K << "\nx*(K) (Tian Thm 4.1)       "
            << tian_saddle_x(K)
            << "   (sqrt(K-1) - arccos(1/sqrt(K)) + pi) / (pi K): symmetric starts x = y end at "
               "(x*, x*)\n";
  if (have_xy) {
    const SymmetricField f = symmetric_field(K, x, y);
    const SymmetricField g = projected_symmetric_field(K, x, y);
    std::cout << "(x, y)                     (" << x << ", " << y << ")\n"
              << "(dx, dy) closed form       (" << f.dx << ", " << f.dy << ")\n"
              << "(dx, dy) K-unit projection (" << g.dx << ", " << g.dy << ")\n";
  }
  return 0;
}

int run_theory(std::int64_t n, std::int64_t d, double eps) {
  if (n < 1) throw ConfigError("N", "must be >= 1");
  if (d < 1) throw ConfigError("d", "must be >= 1");
  if (!(eps > 0.0 && eps < 1.0)) throw ConfigError("eps", "must lie in (0, 1)");
  const int di = static_cast<int>(d);
  std::cout << std::setprecision(10);
  std::cout << "N                          " << n << "\nd                          " << d
            << "\neps                        " << eps << "\nA_d = P(rank D* <= d)      "
            << a_k(n, d) << "\nlog A_d                    " << log_a_k(n, d)
            << "\nP(X^T D* X pos. definite)  " << 1.0 - a_k(n, d - 1)
            << "   1 - A_(d-1); Kong Lemma 2 states 1 - A_d, a lower bound"
            << "\nTian Thm 3.3 bound         " << tian_bound(eps) << "   (1-eps)/2"
            << "\nKong Thm 5 bound           " << kong_bound(eps, n, d) << "   (1-eps)(1-A_d)/2"
            << "\nball radius / |w*|         " << ball_radius(di, eps) << "   eps sqrt(2 pi/(d+1))"
            << "\ntight radius / |w*|        " << tight_ball_radius(di, eps)
            << "   eps sqrt(pi) Gamma((d+1)/2)/Gamma(d/2+1)\n";
  return 0;
}

int main_impl(int argc, char** argv) {
  CLI::App app{"relusim " + relusim_version() +
               ": Monte Carlo simulator of teacher-student gradient dynamics of ReLU networks.\n"
               "Runs many independent trajectories, classifies how each ends and reports\n"
               "convergence rates with 95% Wilson intervals next to the papers' bounds."};
  app.require_subcommand(1);
  app.set_version_flag("--version", relusim_version() + " (" + relusim_git_revision() + ")");

  CommonOptions run_opt, sweep_opt;
  std::map<std::string, std::string> run_values, trace_values;

  CLI::App* run = app.add_subcommand("run",
                                     "run one cell given by flags (defaults: Model A, fixed mode, "
                                     "N=10, d=2, ball init, 1000 trials; --model B: K=2, "
                                     "orthonormal teacher, gaussian init)");
  add_cell_options(*run, run_values);
  add_common_options(*run, run_opt);

  std::string sweep_file;
  std::int64_t sweep_trials = 0;
  CLI::App* sweep = app.add_subcommand("sweep",
                                       "run a grid of cells defined in a TOML file "
                                       "(top-level keys: base values; [grid]: lists)");
  sweep->add_option("file", sweep_file, "the sweep file, e.g. examples/kong-table1.toml")
      ->required();
  sweep->add_option("--trials", sweep_trials, "override the trials of every cell")
      ->check(CLI::PositiveNumber);
  add_common_options(*sweep, sweep_opt);

  std::int64_t th_n = 10, th_d = 2, th_k = 2;
  double th_eps = 0.1, th_x = 0.0, th_y = 0.0;
  std::string th_model = "A";
  CLI::App* theory = app.add_subcommand(
      "theory",
      "model A: A_d, the bounds and the radii for N, d, eps; model B: x*(K) of Tian Thm 4.1 and "
      "the reduced (x, y) field");
  theory->add_option("--model", th_model, "A or B")
      ->check(CLI::IsMember({"A", "B"}))
      ->capture_default_str();
  theory->add_option("--K", th_k, "model B: hidden units K")->capture_default_str();
  CLI::Option* th_x_opt = theory->add_option("--x", th_x, "model B: x of a symmetric state");
  CLI::Option* th_y_opt = theory->add_option("--y", th_y, "model B: y of a symmetric state");
  theory->add_option("--N", th_n, "number of samples N")->capture_default_str();
  theory->add_option("--d", th_d, "input dimension d")->capture_default_str();
  theory->add_option("--eps", th_eps, "epsilon in (0, 1)")->capture_default_str();

  std::int64_t trace_id = 0, trace_every = 100;
  CLI::App* trace = app.add_subcommand(
      "trace",
      "print one trajectory's path as CSV on stdout: step, loss, distance to the target, "
      "angle to w*, w");
  add_cell_options(*trace, trace_values);
  trace->add_option("--trajectory", trace_id, "trajectory id (as in trajectories.csv)")
      ->capture_default_str();
  trace->add_option("--every", trace_every, "print every k-th step (and the last)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, like every other bad input (CLI11's own report adds a second).
    std::cerr << "relusim: bad input: " << e.what() << " (--help lists the options)\n";
    return 2;
  }

  const std::string cmd = command_line(argc, argv);
  if (run->parsed()) {
    const CellConfig cell = cell_from_options(run_values, *run);
    nlohmann::json def;
    def["base"] = cell_json(cell);
    def["grid"] = nlohmann::json::object();
    return run_cells({cell}, {}, def, run_opt, cmd);
  }
  if (sweep->parsed()) {
    SweepConfig s = load_sweep_file(sweep_file);
    if (sweep_trials > 0) {
      s.base.trials = sweep_trials;
      for (auto& c : s.cells)
        c.trials = sweep_trials;
    }
    std::vector<std::string> swept;
    nlohmann::json def;
    def["file"] = sweep_file;
    def["base"] = cell_json(s.base);
    def["grid"] = nlohmann::json::object();
    for (const auto& [key, values] : s.axes) {
      swept.push_back(key);
      nlohmann::json list = nlohmann::json::array();
      for (const ParamValue& v : values) {
        CellConfig probe = s.base;  // cell_json lists the base model's keys
        set_parameter(probe, key, v);
        list.push_back(cell_json(probe)[key]);
      }
      def["grid"][key] = list;
    }
    return run_cells(std::move(s.cells), swept, def, sweep_opt, cmd);
  }
  if (theory->parsed()) {
    if (th_model == "B")
      return run_theory_b(th_k, th_x_opt->count() > 0 || th_y_opt->count() > 0, th_x, th_y);
    return run_theory(th_n, th_d, th_eps);
  }
  if (trace->parsed()) {
    return run_trace(cell_from_options(trace_values, *trace), trace_id, trace_every);
  }
  return 2;
}

}  // namespace
}  // namespace relusim

int main(int argc, char** argv) {
  try {
    return relusim::main_impl(argc, argv);
  } catch (const std::bad_alloc&) {
    std::cerr << "relusim: error: out of memory (a trajectory's design takes N x d numbers per "
                 "thread; use fewer --threads, a smaller N or d, or --precision float)\n";
    return 1;
  } catch (const relusim::ConfigError& e) {
    std::cerr << "relusim: bad input: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "relusim: error: " << e.what() << '\n';
    return 1;
  }
}
