// relusim: the command line. Commands: run, sweep, merge, theory, trace, field, reproduce.
// Exit codes: 0 success, 1 failure, 2 bad input.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>
#include <iomanip>
#include <iostream>
#include <limits>
#include <map>
#include <new>
#include <sstream>

#include <CLI/CLI.hpp>

#include "relusim/engine/cuda_backend.hpp"
#include "relusim/engine/world.hpp"
#include "relusim/io/job.hpp"
#include "relusim/io/journal.hpp"
#include "relusim/models/field.hpp"
#include "relusim/models/trace.hpp"
#include "relusim/reproduce/lab.hpp"
#include "relusim/io/config.hpp"
#include "relusim/models/b/theory.hpp"
#include "relusim/models/registry.hpp"
#include "relusim/engine/driver.hpp"
#include "relusim/engine/plan.hpp"
#include "relusim/io/progress.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/a/theory.hpp"
#include "bench.hpp"

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
  bool resume = false;
  bool force = false;        // replace a finished run of another configuration in --out
  bool shard_given = false;  // sweep only
  std::string shard;
};

/// A check that an integer option is at least `low` (and at most `high`), with a one-line
/// message (CLI11's NonNegativeNumber and PositiveNumber print the range up to the largest
/// double).
CLI::Validator at_least(long long low, long long high = std::numeric_limits<long long>::max()) {
  return CLI::Validator(
      [low, high](std::string& text) -> std::string {
        long long value = 0;
        if (!CLI::detail::lexical_cast(text, value)) return "'" + text + "' is not an integer";
        if (value < low) return "must be >= " + std::to_string(low) + ", got " + text;
        if (value > high) return "must be <= " + std::to_string(high) + ", got " + text;
        return {};
      },
      low == 0 ? "NONNEGATIVE" : (low == 1 ? "POSITIVE" : "AT LEAST " + std::to_string(low)));
}

/// The most CPU threads a command accepts: each thread keeps its own scratch (up to the
/// workspace of one group of trajectories), so a mistyped count would exhaust memory or the
/// system's thread limit instead of running.
constexpr long long kMaxThreads = 1024;
const std::string kThreadsLimit = "at most " + std::to_string(kMaxThreads);

/// The largest --batch-trajectories: a batch's records stay in memory until the batch ends.
constexpr long long kMaxBatchTrajectories = 1LL << 24;

void add_common_options(CLI::App& app, CommonOptions& o) {
  app.add_option("--backend", o.backend,
                 "where trajectories run: auto (GPU if usable, else CPU), cpu, cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  app.add_option("--threads", o.threads,
                 "CPU backend threads (0 = all hardware threads; " + kThreadsLimit + ")")
      ->check(at_least(0, kMaxThreads))
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
                 "4096, CUDA 65536), raised where a sweep would need more than 2^20 batches; at "
                 "most 2^24. Results do not depend on it.")
      ->check(at_least(0, kMaxBatchTrajectories))
      ->capture_default_str();
  app.add_flag("--resume", o.resume,
               "continue the run whose journal is in --out DIR (after kill -9, a signal or a "
               "wall-time limit): only the missing batches run, and the summary is the one an "
               "uninterrupted run writes");
  app.add_flag("--force", o.force,
               "replace what --out DIR holds from a run of another configuration (its summary "
               "files and journal); without it such a directory is refused");
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

CellConfig cell_from_options(const std::map<std::string, std::string>& values, CLI::App& app,
                             bool d_defaults_to_k = false) {
  CellConfig cell;
  if (app.get_option("--model")->count() > 0)
    set_parameter(cell, "model", parse_param_text(common_parameter("model"), values.at("model")));
  for (const std::string& key : all_parameter_keys()) {
    if (key == "model" || app.get_option("--" + key)->count() == 0) continue;
    const ParamInfo& p = find_parameter(cell.model, key);
    p.set(cell, parse_param_text(p, values.at(key)));
  }
  // The reduced field of model B does not depend on d: any d >= K gives it.
  if (d_defaults_to_k && cell.model == "B" && app.get_option("--d")->count() == 0) cell.d = cell.K;
  validate(cell);
  return cell;
}

BackendKind backend_kind(const std::string& s) {
  if (s == "cpu") return BackendKind::cpu;
  if (s == "cuda") return BackendKind::cuda;
  return BackendKind::automatic;
}

/// The command as a shell would take it back (the resume hint prints it).
std::string command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i)
    s += (i ? " " : "") + shell_quote(argv[i]);
  return s;
}

/// The signal that asked the run to stop (SIGINT, SIGTERM), 0 while none did. A second signal
/// ends the process at once (SA_RESETHAND).
volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void on_stop_signal(int sig) {
  g_stop_signal = sig;
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

/// Fault injection for the resume tests (tests/scale_out_test.sh): rank 0 sends itself `sig`
/// once `count` batches are in its journal (0: right after the header is written). Set by
/// RELUSIM_TEST_KILL_AFTER_BATCHES (SIGKILL) or RELUSIM_TEST_TERM_AFTER_BATCHES (SIGTERM).
struct FaultInjection {
  long count = -1;
  int sig = 0;
};
FaultInjection test_fault() {
  for (const auto& [name, sig] : {std::pair{"RELUSIM_TEST_KILL_AFTER_BATCHES", SIGKILL},
                                  std::pair{"RELUSIM_TEST_TERM_AFTER_BATCHES", SIGTERM}}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return {std::strtol(v, nullptr, 10), sig};
  }
  return {};
}

/// --shard: "k/N", or empty / "slurm" for the Slurm job array's task (SLURM_ARRAY_TASK_ID
/// counted from SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT). `given` is false without the
/// option: one part.
Part parse_shard(bool given, const std::string& spec) {
  if (!given) return {};
  if (spec.empty() || spec == "slurm") {
    const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
    const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
    const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");
    if (id == nullptr || count == nullptr)
      throw ConfigError("shard",
                        "give k/N, or run inside a Slurm job array (SLURM_ARRAY_TASK_ID and "
                        "SLURM_ARRAY_TASK_COUNT are not set)");
    const long k = std::atol(id) - (min != nullptr ? std::atol(min) : 0) + 1;
    const long n = std::atol(count);
    if (n < 1 || k < 1 || k > n)
      throw ConfigError("shard", "the Slurm array's task ids are not consecutive (task " +
                                     std::string(id) + " of " + count +
                                     "); give --shard k/N explicitly");
    return {static_cast<int>(k), static_cast<int>(n)};
  }
  const auto slash = spec.find('/');
  Part p;
  try {
    std::size_t used = 0;
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    p.index = std::stoi(spec.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("k");
    p.count = std::stoi(spec.substr(slash + 1), &used);
    if (used != spec.size() - slash - 1) throw std::invalid_argument("N");
  } catch (const std::exception&) {
    throw ConfigError("shard", "expected k/N (e.g. 2/8), got '" + spec + "'");
  }
  if (p.count < 1 || p.index < 1 || p.index > p.count)
    throw ConfigError("shard", "needs 1 <= k <= N in k/N, got '" + spec + "'");
  return p;
}

constexpr const char* kJournal = "journal.rsj";

/// The table on stdout and, with an output directory, summary.csv, summary.json and
/// trajectories.csv published together.
void publish(const SweepPlan& plan, const std::vector<CellResult>& results, const JobSource& source,
             OutputDirectory* out, const std::string& out_dir, const RunProvenance& run,
             bool write_trajectories) {
  print_table(
      std::cout, plan.cells, results,
      table_keys(source.swept, plan.cells.empty() ? std::string("A") : plan.cells.front().model));
  if (out == nullptr) return;
  out->stage("summary.csv", summary_csv(plan.cells, results));
  out->stage("summary.json",
             summary_json(plan.cells, results, run, source.definition).dump(2) + "\n");
  if (write_trajectories) out->stage("trajectories.csv", trajectories_csv(plan.cells, results));
  out->commit();
  std::cerr << "relusim: wrote " << out_dir << "/summary.csv, summary.json"
            << (write_trajectories ? ", trajectories.csv" : "") << '\n';
}

/// The part of the plan a journal header's run owns.
Part part_of_header(const nlohmann::json& header) {
  const nlohmann::json& sh = header.at("shard");
  return {sh.at("index").get<int>(), sh.at("count").get<int>()};
}

/// Moves a journal's batches into `results` (the first record of a batch wins); each must be a
/// batch of `part` with the plan's size for it. Returns how many batches were new.
std::size_t take_batches(JournalContents& j, const SweepPlan& plan, Part part,
                         const std::string& dir, std::vector<std::optional<BatchResult>>& results) {
  std::size_t taken = 0;
  for (auto& [b, r] : j.batches) {
    if (b >= plan.batches.size() || !in_part(b, part) || r.tally.trials != plan.batches[b].count)
      throw JournalError("the journal in " + dir + " holds a batch that is not its part's");
    if (!results[b]) {
      results[b] = std::move(r);
      ++taken;
    }
  }
  return taken;
}

/// Rank 0's output directory and journal: a new journal, or (--resume) the batches an earlier
/// run of the same configuration completed. Fills `results` with those.
std::optional<JournalWriter> open_journal(const std::string& dir, const nlohmann::json& header,
                                          bool resume, bool force, const SweepPlan& plan,
                                          std::vector<std::optional<BatchResult>>& results,
                                          std::size_t& resumed) {
  const std::string path = (std::filesystem::path(dir) / kJournal).string();
  resumed = 0;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (resume) std::cerr << "relusim: no journal in " << dir << "; starting from the beginning\n";
    return JournalWriter::create(path, header);
  }
  if (!resume && force) return JournalWriter::create(path, header);  // replaces it
  if (!resume)
    throw ConfigError("out", dir + " holds the journal of an earlier run (" + kJournal +
                                 "): add --resume to continue it, --force to replace it, or "
                                 "choose another --out");
  JournalContents j = read_journal(path);
  std::vector<std::string> diffs = header_differences(header, j.header);
  const nlohmann::json& shard = j.header.value("shard", nlohmann::json());
  if (shard != header.at("shard"))
    diffs.push_back("shard: " + header.at("shard").dump() + " in this run, " + shard.dump() +
                    " in the journal");
  if (!diffs.empty()) {
    if (force) {
      std::cerr << "relusim: --force: replacing the journal of another run in " << dir << '\n';
      return JournalWriter::create(path, header);
    }
    throw ConfigError("", "the journal in " + dir + " is from another run and cannot be resumed (" +
                              join_lines(diffs) + "); --force replaces it");
  }
  if (!j.damage.empty())
    std::cerr << "relusim: the journal ends in " << j.damage
              << "; the batches after its last whole record run again\n";
  resumed = take_batches(j, plan, part_of_header(header), dir, results);
  return JournalWriter::reopen(path, j.good_bytes);
}

/// --trajectories keeps one record per trajectory in memory until the run ends and then writes
/// them as one file: refuse at once a run whose records cannot fit, rather than fail hours in.
/// About 100 bytes of record and 120 of CSV a trajectory; a shard holds its part of them.
void check_trajectories_fit(const std::vector<CellConfig>& cells, const std::string& out_dir,
                            Part shard) {
  if (out_dir.empty())
    throw ConfigError("out", "--trajectories needs --out DIR (trajectories.csv is written there)");
  double trajectories = 0.0;
  for (const CellConfig& c : cells)
    trajectories += static_cast<double>(c.trials);
  const double need = trajectories / shard.count * 220.0;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  const double have =
      pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0.0;
  if (have > 0.0 && need > have) {
    char buf[300];
    std::snprintf(buf, sizeof buf,
                  "keeps every trajectory's record in memory: %.3g trajectories need about %.0f "
                  "GB, more than this machine's %.0f GB; run fewer trials, split the sweep with "
                  "`relusim sweep --shard k/N`, or leave --trajectories out",
                  trajectories / shard.count, need / 1e9, have / 1e9);
    throw ConfigError("trajectories", buf);
  }
}

int run_cells(std::vector<CellConfig> cells, const JobSource& source, const CommonOptions& o,
              const std::string& cmd) {
  // Everything that can fail on input fails before any work: the cells were validated when
  // they were read, the plan checks them again, the output directory is created now.
  if (const int n = world::launched_without_mpi())
    throw ConfigError("", "started by an MPI launcher as one of " + std::to_string(n) +
                              " processes, but this relusim was built without MPI, so each "
                              "process would run the whole sweep. Rebuild with Open MPI "
                              "(scripts/setup.sh installs libopenmpi-dev), or use --shard k/N");
  const Part shard = parse_shard(o.shard_given, o.shard);
  if ((o.shard_given || o.resume) && o.out_dir.empty())
    throw ConfigError("out", std::string(o.resume ? "--resume" : "--shard") +
                                 " needs --out DIR (the journal of completed batches lives there)");
  if (o.write_trajectories) check_trajectories_fit(cells, o.out_dir, shard);
  const int rank = world::rank();
  const int ranks = world::size();
  int threads = o.threads;
  if (threads == 0 && world::local_size() > 1)
    threads =
        std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / world::local_size());
  const BackendKind kind = backend_kind(o.backend);
  if (ranks > 1 && kind != BackendKind::cpu) cuda_bind_device(world::local_rank());
  std::string note;
  std::unique_ptr<Backend> backend = make_backend(kind, threads, note);
  if (!note.empty() && rank == 0) std::cerr << "relusim: " << note << '\n';
  const std::uint32_t asked_cap = o.batch_trajectories > 0
                                      ? static_cast<std::uint32_t>(o.batch_trajectories)
                                      : backend->preferred_batch_trajectories();
  const std::uint32_t cap = fitting_batch_cap(cells, asked_cap);
  if (cap != asked_cap && rank == 0)
    std::cerr << "relusim: batches of up to " << cap << " trajectories, not " << asked_cap
              << ", so that the plan stays within 2^20 batches (results do not depend on it)\n";
  std::string cap_text = std::to_string(cap);
  world::broadcast(cap_text);  // every rank cuts the plan as rank 0 does
  std::string kind_text = backend->kind();
  world::broadcast(kind_text);
  SweepPlan plan = make_plan(std::move(cells), static_cast<std::uint32_t>(std::stoul(cap_text)));
  const std::vector<std::size_t> mine = part_batches(plan, shard);
  const nlohmann::json header = job_header(plan, source, kind_text, shard, o.write_trajectories);

  // Rank 0 opens the output directory and the journal; every rank learns how that went and
  // which batches are done already.
  std::vector<std::optional<BatchResult>> results(plan.batches.size());
  std::unique_ptr<OutputDirectory> out;
  std::optional<JournalWriter> journal;
  std::size_t resumed = 0;
  std::string status = "0";
  if (rank == 0) {
    try {
      if (!o.out_dir.empty()) {
        out = std::make_unique<OutputDirectory>(o.out_dir);
        claim_output_directory(o.out_dir, header, o.force);
        journal = open_journal(o.out_dir, header, o.resume, o.force, plan, results, resumed);
      }
    } catch (const ConfigError& e) {
      status = std::string("2relusim: bad input: ") + one_line(e.what());
    } catch (const JournalError& e) {
      status = std::string("2relusim: bad input: ") + one_line(e.what());
    } catch (const std::exception& e) {
      status = std::string("1relusim: error: ") + one_line(e.what());
    }
  }
  world::broadcast(status);
  if (status != "0") {
    if (rank == 0) std::cerr << status.substr(1) << '\n';
    return status[0] - '0';
  }
  std::string done_map(plan.batches.size(), '0');
  for (std::size_t b = 0; b < plan.batches.size(); ++b)
    if (results[b]) done_map[b] = '1';
  world::broadcast(done_map);
  std::vector<std::size_t> todo;
  for (std::size_t b : mine)
    if (done_map[b] == '0') todo.push_back(b);

  const std::int64_t total = trajectories_in(plan, mine);
  std::int64_t done = total - trajectories_in(plan, todo);
  if (rank == 0) {
    std::cerr << "relusim: " << plan.cells.size() << " cell(s), " << plan.total_trajectories
              << " trajectories in " << plan.batches.size() << " batch(es) on "
              << backend->description();
    if (ranks > 1) std::cerr << " x " << ranks << " MPI ranks";
    std::cerr << '\n';
    if (o.shard_given)
      std::cerr << "relusim: shard " << shard.index << "/" << shard.count << ": " << mine.size()
                << " batch(es), " << total << " trajectories\n";
    if (resumed > 0)
      std::cerr << "relusim: resuming: " << resumed << " batch(es) (" << done
                << " trajectories) done already, " << todo.size() << " to run\n";
  }

  const bool show =
      rank == 0 && (o.progress == "always" || (o.progress == "auto" && isatty(STDERR_FILENO)));
  ProgressBar bar(std::cerr, show);
  install_stop_handlers();
  const FaultInjection fault = rank == 0 && journal ? test_fault() : FaultInjection{};
  if (fault.count == 0) std::raise(fault.sig);
  long journalled = 0;
  const BatchSink sink = [&](std::size_t b, BatchResult&& r) {
    if (journal) {
      journal->append(b, r);
      if (++journalled == fault.count) std::raise(fault.sig);
    }
    done += plan.batches[b].count;
    results[b] = std::move(r);
    bar.update(done, total);
  };
  const auto t0 = std::chrono::steady_clock::now();
  const bool complete = world::run_over_ranks(
      plan, todo, *backend, o.write_trajectories, sink, [] { return g_stop_signal != 0; },
      [&] {
        if (ranks > 1 && kind != BackendKind::cpu) cuda_bind_device(world::local_rank());
      });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (rank != 0) return 0;
  bar.finish();
  if (!complete) {
    const int sig = g_stop_signal != 0 ? static_cast<int>(g_stop_signal) : SIGTERM;
    std::cerr << "relusim: stopped by signal " << sig << " with " << done << " of " << total
              << " trajectories done\n";
    if (journal) {
      std::string again = cmd.find(" --resume") == std::string::npos ? cmd + " --resume" : cmd;
      if (ranks > 1) again = "mpirun -n " + std::to_string(ranks) + " " + again;
      std::cerr << "relusim: the journal in " << o.out_dir
                << " keeps every completed batch; resume with:\n  " << again << '\n';
    } else {
      std::cerr << "relusim: nothing was written (with --out DIR a sweep can be resumed)\n";
    }
    return 128 + sig;
  }
  std::cerr << "relusim: " << trajectories_in(plan, todo) << " trajectories in " << std::fixed
            << std::setprecision(3) << seconds << " s\n"
            << std::defaultfloat;
  if (o.shard_given) {
    nlohmann::json info = {
        {"shard", std::to_string(shard.index) + "/" + std::to_string(shard.count)},
        {"complete", true},
        {"batches", mine.size()},
        {"trajectories", total},
        {"fingerprint", job_fingerprint(header)},
        {"relusim_version", relusim_version()},
        {"git_revision", relusim_git_revision()},
        {"random_numbers", random_number_scheme()},
        {"journal", kJournal},
        {"seconds", seconds}};
    out->stage("shard.json", info.dump(2) + "\n");
    out->commit();
    std::cerr << "relusim: shard " << shard.index << "/" << shard.count << " complete in "
              << o.out_dir << "; when all " << shard.count
              << " are, merge them:\n  relusim merge DIR1 ... DIR" << shard.count << " --out OUT\n";
    return 0;
  }
  const std::vector<CellResult> cell_results = assemble(plan, std::move(results));
  std::string description = backend->description();
  if (ranks > 1) description += " x " + std::to_string(ranks) + " MPI ranks";
  publish(plan, cell_results, source, out.get(), o.out_dir,
          {cmd, description, seconds, header_identity(header), job_fingerprint(header)},
          o.write_trajectories);
  if (journal) {
    const std::string path = journal->path();
    journal.reset();
    std::error_code ec;
    std::filesystem::remove(path, ec);  // the summary is written: nothing left to resume
  }
  return 0;
}

/// relusim merge: the shards' journals, checked against each other, into one summary.
int run_merge(const std::vector<std::string>& dirs, const std::string& out_dir, bool force,
              const std::string& cmd) {
  struct Shard {
    std::string dir;
    nlohmann::json header;
    JournalContents journal;
    Part part;
  };
  std::vector<Shard> shards;
  for (const std::string& dir : dirs) {
    const std::string path = (std::filesystem::path(dir) / kJournal).string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      throw ConfigError("", dir + " holds no " + kJournal + ": not the --out of a sweep shard");
    Shard s{dir, {}, read_journal(path), {}};
    s.header = s.journal.header;
    if (!s.header.value("shard", nlohmann::json()).is_object())
      throw ConfigError("", "the journal in " + dir + " names no shard");
    s.part = part_of_header(s.header);
    shards.push_back(std::move(s));
  }
  const nlohmann::json& first = shards.front().header;
  auto label = [](const Shard& s) {
    return s.dir + " (shard " + std::to_string(s.part.index) + "/" + std::to_string(s.part.count) +
           ")";
  };
  for (const Shard& s : shards) {
    const auto diffs = header_differences(first, s.header, shards.front().dir, s.dir);
    if (!diffs.empty()) {
      throw ConfigError("", label(s) + " is a shard of another sweep than " +
                                label(shards.front()) + " (" + join_lines(diffs) + ")");
    }
  }
  if (first.value("relusim_version", "") != relusim_version() ||
      first.value("git_revision", "") != relusim_git_revision())
    throw ConfigError("", "the shards were made by relusim " +
                              first.value("relusim_version", std::string("?")) + " (" +
                              first.value("git_revision", std::string("?")) +
                              "); this is relusim " + relusim_version() + " (" +
                              relusim_git_revision() + "): merge with the relusim that made them");
  const int count = shards.front().part.count;
  std::vector<const Shard*> by_index(static_cast<std::size_t>(count) + 1, nullptr);
  for (const Shard& s : shards) {
    if (s.part.count != count)
      throw ConfigError("", "the shards split the sweep differently: " + label(shards.front()) +
                                " and " + label(s));
    const Shard*& slot = by_index[static_cast<std::size_t>(s.part.index)];
    if (slot != nullptr)
      throw ConfigError("", "shard " + std::to_string(s.part.index) + "/" + std::to_string(count) +
                                " is given twice: " + slot->dir + " and " + s.dir);
    slot = &s;
  }
  std::string missing;
  for (int k = 1; k <= count; ++k)
    if (by_index[static_cast<std::size_t>(k)] == nullptr)
      missing += (missing.empty() ? "" : ", ") + std::to_string(k) + "/" + std::to_string(count);
  if (!missing.empty()) throw ConfigError("", "missing shard(s): " + missing);

  JobSource source;
  SweepPlan plan = rebuild_plan(first, source);
  const auto rebuilt = header_differences(
      job_header(plan, source, first.at("backend").get<std::string>(), shards.front().part,
                 first.at("keeps_trajectory_records").get<bool>()),
      first, "the sweep rebuilt from the shards' record", "the shards");
  if (!rebuilt.empty())
    throw ConfigError("", "cannot rebuild the sweep the shards ran (" + join_lines(rebuilt) +
                              "): a matrix file may have changed since");
  std::vector<std::optional<BatchResult>> results(plan.batches.size());
  for (Shard& s : shards) {
    const std::vector<std::size_t> want = part_batches(plan, s.part);
    take_batches(s.journal, plan, s.part, s.dir, results);
    std::size_t have = 0;
    for (std::size_t b : want)
      have += results[b] ? 1 : 0;
    if (have != want.size())
      throw ConfigError("", label(s) + " is incomplete (" + std::to_string(have) + " of " +
                                std::to_string(want.size()) +
                                " batches): resume it with its sweep command and --resume");
  }
  const bool records = first.at("keeps_trajectory_records").get<bool>();
  auto out = std::make_unique<OutputDirectory>(out_dir);
  claim_output_directory(out_dir, first, force);
  const std::vector<CellResult> cell_results = assemble(plan, std::move(results));
  std::cerr << "relusim: merged " << count << " shard(s): " << plan.cells.size() << " cell(s), "
            << plan.total_trajectories << " trajectories\n";
  publish(plan, cell_results, source, out.get(), out_dir,
          {cmd, first.at("backend").get<std::string>() + " (" + std::to_string(count) + " shards)",
           0.0, header_identity(first), job_fingerprint(first)},
          records);
  return 0;
}

int run_trace(const CellConfig& cell, std::int64_t id, std::int64_t every) {
  if (id < 0 || id >= cell.trials) throw ConfigError("trajectory", "must lie in [0, trials)");
  const ModelInfo& model = model_info(cell.model);
  const TrajectoryRecord r =
      trace_trajectory(cell, static_cast<std::uint32_t>(id), every, std::cout);
  std::cerr << "relusim: trajectory " << id << ": "
            << model.outcomes[static_cast<std::size_t>(r.outcome)] << " after " << r.steps
            << " steps (";
  for (std::size_t i = 0; i < model.trace_columns.size(); ++i)
    std::cerr << (i ? ", " : "") << model.trace_columns[i].first << ' '
              << r.slot[model.trace_columns[i].second];
  std::cerr << ")\n";
  return 0;
}

int run_theory_b(std::int64_t k, bool have_xy, double x, double y) {
  if (k < 1 || k > 128) throw ConfigError("K", "must lie in [1, 128]");
  for (const auto& [key, v] : {std::pair<const char*, double>{"x", x}, {"y", y}})
    if (have_xy && !(std::fabs(v) <= kFieldCoordinateLimit))  // NaN too
      throw ConfigError(key, "must be finite, within +-1e100");
  const int K = static_cast<int>(k);
  // Every number in its shortest round-trip form: the closed forms are checked against them.
  const auto v = [](double value) { return report_number(value); };
  std::cout << "K                          " << K << "\nx*(K) (Tian Thm 4.1)       "
            << v(tian_saddle_x(K))
            << "   (sqrt(K-1) - arccos(1/sqrt(K)) + pi) / (pi K): symmetric starts x = y end at "
               "(x*, x*)\n";
  if (have_xy) {
    const SymmetricField f = symmetric_field(K, x, y);
    const SymmetricField g = projected_symmetric_field(K, x, y);
    std::cout << "(x, y)                     (" << v(x) << ", " << v(y) << ")\n"
              << "(dx, dy) closed form       (" << v(f.dx) << ", " << v(f.dy) << ")\n"
              << "(dx, dy) K-unit projection (" << v(g.dx) << ", " << v(g.dy) << ")\n"
              << "population loss            " << v(symmetric_loss(K, x, y))
              << "   1/2 E[(g(x; W*) - g(x; W))^2] of the symmetric W, W* = I\n";
  }
  return 0;
}

int run_theory(std::int64_t n, std::int64_t d, double eps) {
  if (n < 1) throw ConfigError("N", "must be >= 1");
  if (d < 1) throw ConfigError("d", "must be >= 1");
  if (!(eps > 0.0 && eps < 1.0)) throw ConfigError("eps", "must lie in (0, 1)");
  const int di = static_cast<int>(d);
  const auto v = [](double value) { return report_number(value); };
  std::cout << "N                          " << n << "\nd                          " << d
            << "\neps                        " << v(eps) << "\nA_d = P(rank D* <= d)      "
            << v(a_k(n, d)) << "\nlog A_d                    " << v(log_a_k(n, d))
            << "\nP(X^T D* X pos. definite)  " << v(1.0 - a_k(n, d - 1))
            << "   1 - A_(d-1); Kong Lemma 2 states 1 - A_d, a lower bound"
            << "\nTian Thm 3.3 bound         " << v(tian_bound(eps)) << "   (1-eps)/2"
            << "\nKong Thm 5 bound           " << v(kong_bound(eps, n, d)) << "   (1-eps)(1-A_d)/2"
            << "\nball radius / |w*|         " << v(ball_radius(di, eps))
            << "   eps sqrt(2 pi/(d+1))"
            << "\ntight radius / |w*|        " << v(tight_ball_radius(di, eps))
            << "   eps sqrt(pi) Gamma((d+1)/2)/Gamma(d/2+1)\n";
  return 0;
}

/// relusim reproduce: one experiment of the papers, `list` or `all` (docs/reproductions.md).
int run_reproduce(const std::string& name, bool quick, const CommonOptions& o,
                  const std::string& cmd) {
  if (name == "list") {
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
  if (name == "all")
    for (const Experiment& e : experiments())
      which.push_back(&e);
  else
    which.push_back(&find_experiment(name));
  if (o.out_dir.empty())
    throw ConfigError("out", "reproduce needs --out DIR (the data, figures and report go there)");
  std::string note;
  std::unique_ptr<Backend> backend = make_backend(backend_kind(o.backend), o.threads, note);
  if (!note.empty()) std::cerr << "relusim: " << note << '\n';
  ReproduceOptions ro;
  ro.quick = quick;
  ro.command = cmd;
  ro.progress = o.progress == "always" || (o.progress == "auto" && isatty(STDERR_FILENO));
  std::vector<ExperimentReport> reports;
  for (const Experiment* e : which) {
    ro.out_dir = name == "all" ? (std::filesystem::path(o.out_dir) / e->name).string() : o.out_dir;
    reports.push_back(run_experiment(*e, ro, *backend));
    std::map<std::string, int> counts;
    for (const Claim& c : reports.back().claims)
      ++counts[c.verdict];
    std::cout << std::left << std::setw(20) << e->name << std::right << counts[kReproduced]
              << " reproduced, " << counts[kPartly] << " partly, " << counts[kNotReproduced]
              << " not reproduced   " << ro.out_dir << "/report.md\n"
              << std::flush;
  }
  if (name == "all") {
    OutputDirectory out(o.out_dir);
    out.stage("index.md", reproduce_index(reports, quick));
    out.commit();
    std::cerr << "relusim: wrote " << o.out_dir << "/index.md\n";
  }
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
  std::string sweep_trials;
  CLI::App* sweep = app.add_subcommand("sweep",
                                       "run a grid of cells defined in a TOML file "
                                       "(top-level keys: base values; [grid]: lists)");
  sweep->add_option("file", sweep_file, "the sweep file, e.g. examples/kong-table1.toml")
      ->required();
  sweep->add_option("--trials", sweep_trials,
                    "override the trials of every cell (read as the key `trials` is: 1e5 works)");
  add_common_options(*sweep, sweep_opt);
  sweep
      ->add_option("--shard", sweep_opt.shard,
                   "run only part k of N (k/N; alone or 'slurm': the Slurm array task, "
                   "SLURM_ARRAY_TASK_ID counted from SLURM_ARRAY_TASK_MIN, of "
                   "SLURM_ARRAY_TASK_COUNT) into --out DIR; `relusim merge` joins the parts")
      ->expected(0, 1);

  std::vector<std::string> merge_dirs;
  std::string merge_out;
  CLI::App* merge = app.add_subcommand(
      "merge",
      "join the --out directories of a sweep's shards (sweep --shard k/N) into the summary one "
      "process would have written; refuses missing, duplicate, incomplete or foreign shards");
  merge->add_option("dirs", merge_dirs, "the shards' output directories")->required();
  merge->add_option("--out", merge_out, "directory for summary.csv and summary.json")->required();
  bool merge_force = false;
  merge->add_flag("--force", merge_force,
                  "replace the summary of another configuration that --out DIR holds");

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
      ->check(at_least(1))
      ->capture_default_str();

  std::map<std::string, std::string> field_values;
  std::int64_t field_id = 0;
  std::vector<double> field_x, field_y;
  int field_points = 21;
  std::string field_out;
  CLI::App* field = app.add_subcommand(
      "field",
      "the vector field of a 2-D dynamics on a grid, as CSV, and a figure with --out: model A "
      "with d = 2 (fixed mode: the design of --trajectory; expected mode: the population), "
      "model B: the reduced (x, y) field of the symmetric start (Tian Thm 4.1)");
  add_cell_options(*field, field_values);
  field->add_option("--trajectory", field_id, "model A, fixed mode: whose design and teacher")
      ->capture_default_str();
  field
      ->add_option("--x", field_x,
                   "x range LO HI (model A: w_1, default -1 2; model B: x, "
                   "default 0 1.2)")
      ->expected(2);
  field
      ->add_option("--y", field_y,
                   "y range LO HI (model A: w_2, default -1 2; model B: y, "
                   "default 0 1)")
      ->expected(2);
  field->add_option("--points", field_points, "grid points per axis")->capture_default_str();
  field->add_option("--out", field_out,
                    "directory for field.csv, marks.csv, plot_field.py and, when Debian's "
                    "python3 has matplotlib, field.png and field.svg (else CSV on stdout)");

  std::string repro_name;
  bool repro_quick = false;
  CommonOptions repro_opt;
  BenchOptions bench_opt;
  std::string bench_backend = "auto";
  CLI::App* bench = app.add_subcommand(
      "bench",
      "run fixed workloads end to end (W1, W2: Model A fixed; W3: Model C online; W4: Model B "
      "expected; the Kong grid) and print trajectory-steps/s, GFLOP/s and the fraction of this "
      "machine's FMA peak, measured by the command itself (docs/benchmarks.md)");
  bench->add_option("--backend", bench_backend, "cpu, cuda or auto")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  bench->add_option("--threads", bench_opt.threads, "CPU threads (0 = all; " + kThreadsLimit + ")")
      ->check(at_least(0, kMaxThreads));
  bench->add_flag("--quick", bench_opt.quick,
                  "small versions of the workloads (seconds; CI runs each once this way)");
  bench->add_option("--only", bench_opt.only, "comma-separated workloads: W1,W2,W3,W4,Kong");
  CLI::Option* kong_opt =
      bench->add_option("--kong", bench_opt.kong_file, "the Kong grid's sweep file")
          ->default_val("examples/kong-table1.toml");
  bench->add_option("--out", bench_opt.out_dir, "also write DIR/bench.csv");

  CLI::App* reproduce = app.add_subcommand(
      "reproduce",
      "run an experiment of the papers (a table or figure) and write its data, figures, the "
      "scripts that draw them and report.md: what the paper states, what relusim measured, and a "
      "verdict per claim. `reproduce list` names the experiments, `reproduce all` runs them all");
  reproduce->add_option("experiment", repro_name, "an experiment's name, list, or all")->required();
  reproduce->add_flag("--quick", repro_quick,
                      "the small version (seconds; for CI): fewer trials, shorter runs");
  reproduce
      ->add_option("--backend", repro_opt.backend,
                   "where trajectories run: auto (GPU if usable, else CPU), cpu, cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  reproduce
      ->add_option("--threads", repro_opt.threads, "CPU threads (0 = all; " + kThreadsLimit + ")")
      ->check(at_least(0, kMaxThreads))
      ->capture_default_str();
  reproduce->add_option("--out", repro_opt.out_dir,
                        "directory for the experiment's files (all: one subdirectory each and "
                        "index.md)");
  reproduce
      ->add_option("--progress", repro_opt.progress,
                   "progress bars on stderr: auto (when stderr is a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
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
    std::cerr << "relusim: bad input: " << one_line(e.what()) << " (--help lists the options)\n";
    return 2;
  }

  const std::string cmd = command_line(argc, argv);
  if (run->parsed()) {
    const CellConfig cell = cell_from_options(run_values, *run);
    nlohmann::json def;
    def["base"] = cell_json(cell);
    def["grid"] = nlohmann::json::object();
    JobSource source;
    source.command = "run";
    source.definition = def;
    return run_cells({cell}, source, run_opt, cmd);
  }
  if (sweep->parsed()) {
    SweepConfig s = load_sweep_file(sweep_file);
    std::int64_t trials_override = 0;
    if (!sweep_trials.empty()) {
      // The key's own reader and checks, as `run --trials` and the sweep file use them; each
      // cell is checked whole (the base alone need not be a valid cell before the grid applies).
      const ParamValue value =
          parse_param_text(find_parameter(s.base.model, "trials"), sweep_trials);
      set_parameter(s.base, "trials", value);
      trials_override = s.base.trials;
      for (auto& c : s.cells) {
        set_parameter(c, "trials", value);
        validate(c);
      }
    }
    refuse_identical_cells(s.cells);
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
    JobSource source;
    source.file = sweep_file;
    source.text = s.text;
    source.trials_override = trials_override;
    source.definition = def;
    source.swept = swept;
    sweep_opt.shard_given = sweep->get_option("--shard")->count() > 0;
    return run_cells(std::move(s.cells), source, sweep_opt, cmd);
  }
  if (merge->parsed()) return run_merge(merge_dirs, merge_out, merge_force, cmd);
  if (theory->parsed()) {
    if (th_model == "B")
      return run_theory_b(th_k, th_x_opt->count() > 0 || th_y_opt->count() > 0, th_x, th_y);
    return run_theory(th_n, th_d, th_eps);
  }
  if (field->parsed()) {
    const CellConfig cell = cell_from_options(field_values, *field, true);
    if (field_id < 0 || field_id >= cell.trials)
      throw ConfigError("trajectory", "must lie in [0, trials)");
    FieldGrid g;
    const bool b = cell.model == "B";
    g.x0 = b ? 0.0 : -1.0;
    g.x1 = b ? 1.2 : 2.0;
    g.y0 = b ? 0.0 : -1.0;
    g.y1 = b ? 1.0 : 2.0;
    if (!field_x.empty()) g.x0 = field_x[0], g.x1 = field_x[1];
    if (!field_y.empty()) g.y0 = field_y[0], g.y1 = field_y[1];
    g.points = field_points;
    const Field f = vector_field(cell, static_cast<std::uint32_t>(field_id), g);
    if (field_out.empty()) {
      std::cout << field_csv(f);
      return 0;
    }
    OutputDirectory out(field_out);
    out.stage("field.csv", field_csv(f));
    out.stage("marks.csv", field_marks_csv(f));
    out.stage("plot_field.py", field_plot_script(f));
    out.commit();
    std::cerr << "relusim: wrote " << field_out << "/field.csv, marks.csv, plot_field.py\n";
    draw_figure_script(field_out + "/plot_field.py");
    return 0;
  }
  if (bench->parsed()) {
    bench_opt.backend = backend_kind(bench_backend);
    bench_opt.kong_given = kong_opt->count() > 0;
    return run_bench(bench_opt);
  }
  if (reproduce->parsed()) return run_reproduce(repro_name, repro_quick, repro_opt, cmd);
  if (trace->parsed()) {
    return run_trace(cell_from_options(trace_values, *trace), trace_id, trace_every);
  }
  return 2;
}

}  // namespace
}  // namespace relusim

namespace {

/// Ends the job on every rank: a failure on one rank ends them all (MPI_Abort) instead of
/// leaving the others waiting; bad input, the same on every rank, ends each one cleanly.
int finish(int code, bool abort_ranks = false) {
  if (abort_ranks && relusim::world::size() > 1) relusim::world::abort(code);
  relusim::world::finalize();
  return code;
}

/// What the program printed on stdout must have reached it: a full disk, a closed pipe or a
/// device that refuses is a failure (exit 1), never a torn table or CSV with exit 0.
int check_stdout(int code) {
  errno = 0;
  std::cout.flush();
  if (std::cout.good() && std::fflush(stdout) == 0 && std::ferror(stdout) == 0) return code;
  const int err = errno;
  std::cerr << "relusim: error: cannot write to standard output"
            << (err != 0 ? std::string(": ") + std::strerror(err) : std::string()) << '\n';
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // A closed pipe is an error to report (check_stdout), not a silent death by SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  relusim::world::init(&argc, &argv);
  try {
    return finish(check_stdout(relusim::main_impl(argc, argv)));
  } catch (const std::bad_alloc&) {
    std::cerr << "relusim: error: out of memory (each thread holds a trajectory's design, N x d "
                 "numbers, and each batch its records, about 100 bytes a trajectory; use fewer "
                 "--threads, a smaller N, d or --batch-trajectories, or --precision float)\n";
    return finish(1, true);
  } catch (const relusim::ConfigError& e) {
    if (relusim::world::rank() == 0)
      std::cerr << "relusim: bad input: " << relusim::one_line(e.what()) << '\n';
    return finish(2);
  } catch (const relusim::JournalError& e) {
    std::cerr << "relusim: bad input: " << relusim::one_line(e.what()) << '\n';
    return finish(2, true);
  } catch (const std::exception& e) {
    std::cerr << "relusim: error: " << relusim::one_line(e.what()) << '\n';
    return finish(1, true);
  }
}
