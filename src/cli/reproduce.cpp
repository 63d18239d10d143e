// `relusim reproduce`: one experiment of the papers, `list` or `all` (docs/reproductions.md;
// the experiments are the reproduce lab's, include/relusim/reproduce/lab.hpp).
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>

#include "commands.hpp"
#include "options.hpp"
#include "relusim/io/report.hpp"
#include "relusim/reproduce/lab.hpp"

namespace relusim::cli {
namespace {

struct ReproduceArgs {
  std::string name;
  bool quick = false;
  std::string backend = "auto";
  int threads = 0;
  std::string out_dir;
  std::string progress = "auto";
};

int reproduce(const ReproduceArgs& a, const std::string& cmd) {
  if (a.name == "list") {
    std::cout << "experiments (relusim reproduce NAME --out DIR; seconds measured on the 2-core "
                 "development machine, CPU backend, rounded):\n\n";
    std::cout << std::left << std::setw(20) << "name" << std::setw(10) << "quick s" << std::setw(10)
              << "full s"
              << "what\n";
    for (const Experiment& e : experiments())
      std::cout << std::setw(20) << e.name << std::setw(10) << e.quick_seconds << std::setw(10)
                << e.full_seconds << e.summary << '\n';
    std::cout << std::right;
    return 0;
  }
  std::vector<const Experiment*> which;
  if (a.name == "all")
    for (const Experiment& e : experiments())
      which.push_back(&e);
  else
    which.push_back(&find_experiment(a.name));
  if (a.out_dir.empty())
    throw ConfigError("out", "reproduce needs --out DIR (the data, figures and report go there)");
  std::string note;
  std::unique_ptr<Backend> backend = make_backend(backend_kind(a.backend), a.threads, note);
  if (!note.empty()) std::cerr << "relusim: " << note << '\n';
  ReproduceOptions ro;
  ro.quick = a.quick;
  ro.command = cmd;
  ro.progress = show_progress(a.progress);
  std::vector<ExperimentReport> reports;
  for (const Experiment* e : which) {
    ro.out_dir =
        a.name == "all" ? (std::filesystem::path(a.out_dir) / e->name).string() : a.out_dir;
    reports.push_back(run_experiment(*e, ro, *backend));
    std::map<std::string, int> counts;
    for (const Claim& c : reports.back().claims)
      ++counts[c.verdict];
    std::cout << std::left << std::setw(20) << e->name << std::right << counts[kReproduced]
              << " reproduced, " << counts[kPartly] << " partly, " << counts[kNotReproduced]
              << " not reproduced   " << ro.out_dir << "/report.md\n"
              << std::flush;
  }
  if (a.name == "all") {
    OutputDirectory out(a.out_dir);
    out.stage("index.md", reproduce_index(reports, a.quick));
    out.commit();
    std::cerr << "relusim: wrote " << a.out_dir << "/index.md\n";
  }
  return 0;
}

}  // namespace

Command add_reproduce(CLI::App& app, const Context& ctx) {
  auto s = std::make_shared<ReproduceArgs>();
  CLI::App* r = app.add_subcommand(
      "reproduce",
      "run an experiment of the papers (a table or figure) and write its data, figures, the "
      "scripts that draw them and report.md: what the paper states, what relusim measured, and a "
      "verdict per claim. `reproduce list` names the experiments, `reproduce all` runs them all");
  r->add_option("experiment", s->name, "an experiment's name, list, or all")->required();
  r->add_flag("--quick", s->quick,
              "the small version (seconds; for CI): fewer trials, shorter runs");
  r->add_option("--backend", s->backend,
                "where trajectories run: auto (GPU if usable, else CPU), cpu, cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  r->add_option("--threads", s->threads, "CPU threads (0 = all; " + threads_limit() + ")")
      ->check(at_least(0, kMaxThreads))
      ->capture_default_str();
  r->add_option("--out", s->out_dir,
                "directory for the experiment's files (all: one subdirectory each and "
                "index.md)");
  r->add_option("--progress", s->progress,
                "progress bars on stderr: auto (when stderr is a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  return {r, [s, &ctx] { return reproduce(*s, ctx.command); }};
}

}  // namespace relusim::cli
