#include "relusim/reproduce/lab.hpp"

#include "experiments/experiments.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "relusim/engine/plan.hpp"
#include "relusim/io/progress.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/trace.hpp"

namespace relusim {
namespace {

void write_atomically(const std::filesystem::path& path, const std::string& contents) {
  const std::string tmp = path.string() + ".partial";
  write_file_synced(tmp, contents);
  rename_synced(tmp, path.string());
}

/// The Python that draws the figures: the caller's choice (the Python module's own
/// interpreter), else RELUSIM_PYTHON, else Debian's python3.
std::string python_path(const std::string& chosen = {}) {
  if (!chosen.empty()) return chosen;
  const char* env = std::getenv("RELUSIM_PYTHON");
  return env != nullptr && *env != '\0' ? env : "/usr/bin/python3";
}

bool have_matplotlib(const std::string& python = {}) {
  const std::string probe =
      shell_quote(python_path(python)) + " -c 'import matplotlib' >/dev/null 2>&1";
  return std::system(probe.c_str()) == 0;
}

std::string number(double v) {
  if (std::isnan(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string md_cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += "<br>";
    else
      out += c;
  }
  return out;
}

}  // namespace

namespace {

/// Runs a figure script; what it prints goes to stderr, or nowhere when `quiet`.
void run_figure_script(const std::string& script, const std::string& python = {},
                       bool quiet = false) {
  const std::string cmd = shell_quote(python_path(python)) + ' ' + shell_quote(script) +
                          (quiet ? " >/dev/null 2>&1" : " >&2");
  if (std::system(cmd.c_str()) != 0)
    throw std::runtime_error("the figure script failed: " + script);
}

}  // namespace

bool draw_figure_script(const std::string& script) {
  if (!have_matplotlib()) {
    std::cerr << "relusim: no matplotlib for " << python_path()
              << " (scripts/setup.sh installs Debian's python3-matplotlib); draw the figure "
                 "later with:\n  "
              << python_path() << ' ' << script << '\n';
    return false;
  }
  run_figure_script(script);
  return true;
}

Lab::Lab(const ReproduceOptions& options, Backend& backend, std::string experiment)
    : options_(options), backend_(&backend), experiment_(std::move(experiment)) {
  std::error_code ec;
  std::filesystem::create_directories(options_.out_dir, ec);
  if (ec || !std::filesystem::is_directory(options_.out_dir))
    throw BackendError("cannot create output directory '" + options_.out_dir +
                       "': " + ec.message());
}

std::ostream& Lab::log() const {
  return options_.log != nullptr ? *options_.log : std::cerr;
}

void Lab::say(const std::string& what) const {
  log() << "relusim: " << std::filesystem::path(options_.out_dir).filename().string() << ": "
        << what << '\n';
}

void Lab::write(const std::string& name, const std::string& contents) {
  write_atomically(std::filesystem::path(options_.out_dir) / name, contents);
  files_.push_back(name);
}

Lab::Sweep Lab::sweep(const std::string& name, const std::string& toml, bool keep_records) {
  SweepConfig s = parse_sweep_text(toml, name + ".toml");
  std::int64_t trajectories = 0;
  for (const CellConfig& c : s.cells)
    trajectories += c.trials;
  say("sweep " + name + ": " + std::to_string(s.cells.size()) + " cell(s), " +
      std::to_string(trajectories) + " trajectories on " + backend_->description());
  const SweepPlan plan = make_plan(s.cells, backend_->preferred_batch_trajectories());
  ProgressBar bar(log(), options_.progress);
  DriverOptions o;
  o.keep_records = keep_records;
  o.progress = [&](std::int64_t done, std::int64_t total) { bar.update(done, total); };
  Sweep out;
  out.results = run_plan(plan, *backend_, o);
  bar.finish();
  out.cells = std::move(s.cells);
  write(name + ".toml", "# relusim sweep " + name + ".toml --out DIR   (written by relusim " +
                            "reproduce; vary it freely)\n" + toml);
  write(name + ".csv", summary_csv(out.cells, out.results));
  return out;
}

std::string Lab::trace(const CellConfig& cell, std::uint32_t id, std::int64_t every,
                       TrajectoryRecord* record) {
  std::ostringstream os;
  const TrajectoryRecord r = trace_trajectory(cell, id, every, os);
  if (record != nullptr) *record = r;
  return os.str();
}

void Lab::figure(const std::string& stem, const std::string& caption) {
  if (figures_.empty()) write("relusim_plot.py", figure_script("relusim_plot.py"));
  write(stem + ".py", figure_script(experiment_ + "/" + stem + ".py"));
  figures_.emplace_back(stem, caption);
}

void Lab::claim(Claim c, const char* verdict, std::string reason) {
  c.verdict = verdict;
  c.reason = c.verdict == kReproduced ? std::string() : std::move(reason);
  claim(std::move(c));
}

void Lab::claim(Claim c) {
  if (c.verdict != kReproduced && c.verdict != kNotReproduced && c.verdict != kPartly)
    throw std::logic_error("claim " + c.id + ": unknown verdict '" + c.verdict + "'");
  claims_.push_back(std::move(c));
}

void Lab::note(const std::string& markdown) {
  notes_.push_back(markdown);
}

ExperimentReport Lab::finish(const std::string& name, const std::string& title,
                             const std::string& source, const std::string& summary,
                             double seconds) {
  ExperimentReport rep;
  rep.name = name;
  rep.title = title;
  rep.claims = claims_;
  rep.seconds = seconds;
  for (const auto& f : figures_)
    rep.figures.push_back(f.first);

  // Figures first, so the report can say whether they exist.
  bool drawn = options_.draw && !figures_.empty() && have_matplotlib(options_.python);
  if (drawn)
    for (const auto& [stem, caption] : figures_)
      run_figure_script((std::filesystem::path(options_.out_dir) / (stem + ".py")).string(),
                        options_.python, options_.log != nullptr);
  if (!drawn && options_.draw && !figures_.empty())
    log() << "relusim: no matplotlib for " << python_path(options_.python)
          << " (scripts/setup.sh installs Debian's python3-matplotlib); the figures' data "
             "and scripts are written: draw them with\n  for f in "
          << options_.out_dir << "/*.py; do " << python_path(options_.python) << " \"$f\"; done\n";
  rep.figures_drawn = drawn;

  std::map<std::string, int> counts;
  for (const Claim& c : claims_)
    ++counts[c.verdict];
  std::ostringstream md;
  md << "# " << name << ": " << title << "\n\n";
  md << summary << "\n\n";
  md << "- Source: " << source << "\n";
  md << "- Version: " << (options_.quick ? "quick (reduced sizes, for CI)" : "full") << "\n";
  md << "- Command: `" << options_.command << "`\n";
  md << "- relusim " << relusim_version() << " (" << relusim_git_revision() << "), "
     << backend_->description() << ", " << number(seconds) << " s\n";
  md << "- Verdicts: " << counts[kReproduced] << " reproduced, " << counts[kPartly] << " partly, "
     << counts[kNotReproduced] << " not reproduced\n\n";
  md << "## Claims\n\n| claim | the paper | relusim measured | verdict |\n| --- | --- | --- | --- "
        "|\n";
  for (const Claim& c : claims_) {
    std::string measured = c.measured;
    if (!std::isnan(c.lo))
      measured += " (95% interval [" + number(c.lo) + ", " + number(c.hi) + "])";
    std::string verdict = "**" + c.verdict + "**";
    if (!c.reason.empty()) verdict += ": " + c.reason;
    md << "| `" << c.id << "` | " << md_cell(c.paper) << " | " << md_cell(measured) << " | "
       << md_cell(verdict) << " |\n";
  }
  if (!figures_.empty()) {
    md << "\n## Figures\n\n";
    for (const auto& [stem, caption] : figures_) {
      if (drawn)
        md << "![" << stem << "](" << stem << ".png)\n\n";
      else
        md << "(not drawn: run `" << python_path(options_.python) << " " << stem << ".py`)\n\n";
      md << "*" << caption << "* ([SVG](" << stem << ".svg), script [" << stem << ".py](" << stem
         << ".py))\n\n";
    }
  }
  if (!notes_.empty()) {
    md << "## Notes\n\n";
    for (const std::string& n : notes_)
      md << n << "\n\n";
  }
  md << "## Files\n\n";
  for (const std::string& f : files_)
    md << "- [" << f << "](" << f << ")\n";
  md << "- [verdicts.json](verdicts.json): the verdicts, machine-readable\n";

  nlohmann::json j;
  j["experiment"] = name;
  j["title"] = title;
  j["quick"] = options_.quick;
  j["seconds"] = seconds;
  j["relusim_version"] = relusim_version();
  j["git_revision"] = relusim_git_revision();
  j["backend"] = backend_->description();
  j["figures"] = rep.figures;
  j["figures_drawn"] = drawn;
  j["claims"] = nlohmann::json::array();
  auto num = [](double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); };
  for (const Claim& c : claims_)
    j["claims"].push_back({{"id", c.id},
                           {"verdict", c.verdict},
                           {"value", num(c.value)},
                           {"lo", num(c.lo)},
                           {"hi", num(c.hi)},
                           {"paper", c.paper},
                           {"measured", c.measured},
                           {"reason", c.reason}});
  write_atomically(std::filesystem::path(options_.out_dir) / "verdicts.json", j.dump(2) + "\n");
  write_atomically(std::filesystem::path(options_.out_dir) / "report.md", md.str());
  return rep;
}

const std::vector<Experiment>& experiments() {
  static const std::vector<Experiment> all = [] {
    return experiment_list();  // src/reproduce/experiments/list.cpp
  }();
  return all;
}

const Experiment& find_experiment(const std::string& name) {
  std::string known;
  for (const Experiment& e : experiments()) {
    if (e.name == name) return e;
    known += (known.empty() ? "" : ", ") + e.name;
  }
  throw ConfigError("experiment", "no experiment '" + name +
                                      "'; `relusim reproduce list` names "
                                      "them: " +
                                      known);
}

ExperimentReport run_experiment(const Experiment& e, const ReproduceOptions& options,
                                Backend& backend) {
  const auto t0 = std::chrono::steady_clock::now();
  Lab lab(options, backend, e.name);
  lab.say(std::string(options.quick ? "quick version" : "full version") + ", " + e.title);
  e.run(lab);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return lab.finish(e.name, e.title, e.source, e.summary, seconds);
}

std::string reproduce_index(const std::vector<ExperimentReport>& reports, bool quick) {
  std::ostringstream md;
  md << "# relusim reproduce all" << (quick ? " --quick" : "") << "\n\n"
     << "relusim " << relusim_version() << " (" << relusim_git_revision() << ")\n\n"
     << "| experiment | what | reproduced | partly | not reproduced | seconds | report |\n"
     << "| --- | --- | --- | --- | --- | --- | --- |\n";
  for (const ExperimentReport& r : reports) {
    std::map<std::string, int> counts;
    for (const Claim& c : r.claims)
      ++counts[c.verdict];
    md << "| " << r.name << " | " << md_cell(r.title) << " | " << counts[kReproduced] << " | "
       << counts[kPartly] << " | " << counts[kNotReproduced] << " | " << number(r.seconds) << " | ["
       << r.name << "/report.md](" << r.name << "/report.md) |\n";
  }
  return md.str();
}

}  // namespace relusim
