// The job layer's run_job (include/relusim/app/job.hpp): plan, journal and resume, shards, MPI
// ranks, stop requests and publishing the outputs.
#include "relusim/app/job.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "outputs.hpp"
#include "relusim/engine/cuda_backend.hpp"
#include "relusim/engine/world.hpp"
#include "relusim/io/journal.hpp"
#include "relusim/io/progress.hpp"
#include "relusim/io/report.hpp"

namespace relusim {
namespace {

/// The signal that asked the run to stop (SIGINT, SIGTERM), 0 while none did. A second signal
/// ends the process at once (SA_RESETHAND).
volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void on_stop_signal(int sig) {
  g_stop_signal = sig;
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

/// Rank 0's output directory and journal: a new journal, or (resume) the batches an earlier
/// run of the same configuration completed. Fills `results` with those.
std::optional<JournalWriter> open_journal(const std::string& dir, const nlohmann::json& header,
                                          bool resume, bool force, const SweepPlan& plan,
                                          std::vector<std::optional<BatchResult>>& results,
                                          std::size_t& resumed, std::ostream& log) {
  const std::string path = (std::filesystem::path(dir) / kJournalFile).string();
  resumed = 0;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (resume) log << "relusim: no journal in " << dir << "; starting from the beginning\n";
    return JournalWriter::create(path, header);
  }
  if (!resume && force) return JournalWriter::create(path, header);  // replaces it
  if (!resume)
    throw ConfigError("out", dir + " holds the journal of an earlier run (" + kJournalFile +
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
      log << "relusim: --force: replacing the journal of another run in " << dir << '\n';
      return JournalWriter::create(path, header);
    }
    throw ConfigError("", "the journal in " + dir + " is from another run and cannot be resumed (" +
                              join_lines(diffs) + "); --force replaces it");
  }
  if (!j.damage.empty())
    log << "relusim: the journal ends in " << j.damage
        << "; the batches after its last whole record run again\n";
  resumed = take_batches(j, plan, part_of_header(header), dir, results);
  return JournalWriter::reopen(path, j.good_bytes);
}

/// keep_trajectories keeps one record per trajectory in memory until the run ends (and then
/// writes them as one file with out_dir): refuse at once a run whose records cannot fit, rather
/// than fail hours in. About 100 bytes of record and 120 of CSV a trajectory; a shard holds its
/// part.
void check_trajectories_fit(const std::vector<CellConfig>& cells, Part shard) {
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

/// What cells with trials = "auto" used, in one line (nothing without such cells).
void log_auto_trials(const SweepPlan& plan, const std::vector<CellResult>& results,
                     std::ostream& log) {
  std::int64_t cells = 0, used = 0, most = 0;
  std::map<std::string, int> why;
  for (std::size_t c = 0; c < plan.cells.size(); ++c) {
    if (!plan.cells[c].trials_auto) continue;
    ++cells;
    used += results[c].summary.trials;
    most += plan.cells[c].trials;
    ++why[results[c].summary.stopped_by];
  }
  if (cells == 0) return;
  log << "relusim: trials = auto: " << cells << " cell(s) used " << used << " of at most " << most
      << " trajectories; stopped by";
  for (const auto& [reason, n] : why)
    log << (reason == why.begin()->first ? " " : ", ") << reason << " (" << n << ")";
  log << '\n';
}

}  // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int stop_signal() {
  return static_cast<int>(g_stop_signal);
}

JobOutcome run_job(std::vector<CellConfig> cells, const JobSource& source, const JobOptions& o) {
  std::ostream& log = o.log != nullptr ? *o.log : std::cerr;
  // Everything that can fail on input fails before any work: the cells were validated when
  // they were read, the plan checks them again, the output directory is created now.
  if (const int n = world::launched_without_mpi())
    throw ConfigError("", "started by an MPI launcher as one of " + std::to_string(n) +
                              " processes, but this relusim was built without MPI, so each "
                              "process would run the whole sweep. Rebuild with Open MPI "
                              "(scripts/setup.sh installs libopenmpi-dev), or use --shard k/N");
  const Part shard = o.shard.value_or(Part{});
  if ((o.shard || o.resume) && o.out_dir.empty())
    throw ConfigError("out", std::string(o.resume ? "--resume" : "--shard") +
                                 " needs --out DIR (the journal of completed batches lives there)");
  if (o.batch_trajectories < 0 || o.batch_trajectories > kMaxBatchTrajectories)
    throw ConfigError("batch-trajectories", "must lie in [0, 2^24]");
  if (o.threads < 0 || o.threads > kMaxThreads)
    throw ConfigError("threads", "must lie in [0, " + std::to_string(kMaxThreads) + "]");
  if (o.keep_trajectories) check_trajectories_fit(cells, shard);
  if (o.keep_weights && world::size() > 1)
    throw ConfigError("",
                      "final weights are kept by a job of one process only, not over MPI ranks");
  const int rank = world::rank();
  const int ranks = world::size();
  int threads = o.threads;
  if (threads == 0 && world::local_size() > 1)
    threads =
        std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / world::local_size());
  if (ranks > 1 && o.backend != BackendKind::cpu) cuda_bind_device(world::local_rank());
  std::string note;
  std::unique_ptr<Backend> backend = make_backend(o.backend, threads, note, &cells);
  if (!note.empty() && rank == 0) log << "relusim: " << note << '\n';
  const std::uint32_t asked_cap = o.batch_trajectories > 0
                                      ? static_cast<std::uint32_t>(o.batch_trajectories)
                                      : backend->preferred_batch_trajectories();
  const std::uint32_t cap = fitting_batch_cap(cells, asked_cap);
  if (cap != asked_cap && rank == 0)
    log << "relusim: batches of up to " << cap << " trajectories, not " << asked_cap
        << ", so that the plan stays within 2^20 batches (results do not depend on it)\n";
  std::string cap_text = std::to_string(cap);
  world::broadcast(cap_text);  // every rank cuts the plan as rank 0 does
  std::string kind_text = backend->kind();
  world::broadcast(kind_text);
  JobOutcome outcome;
  outcome.plan = make_plan(std::move(cells), static_cast<std::uint32_t>(std::stoul(cap_text)));
  const SweepPlan& plan = outcome.plan;
  outcome.table_keys = job_table_keys(plan, source);
  const std::vector<std::size_t> mine = part_batches(plan, shard);
  nlohmann::json header = job_header(plan, source, kind_text, shard, o.keep_trajectories);
  if (o.keep_weights) header["keeps_final_weights"] = true;  // the journal's batches carry them

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
        journal = open_journal(o.out_dir, header, o.resume, o.force, plan, results, resumed, log);
      }
    } catch (const ConfigError& e) {
      status = std::string("2") + e.what();
    } catch (const JournalError& e) {
      status = std::string("2") + e.what();
    } catch (const std::exception& e) {
      status = std::string("1") + e.what();
    }
  }
  world::broadcast(status);
  if (status != "0") {
    if (rank == 0) throw JobFailed(status[0] - '0', status.substr(1));
    outcome.status = JobStatus::other_rank;
    outcome.exit_code = status[0] - '0';
    return outcome;
  }
  std::string done_map(plan.batches.size(), '0');
  for (std::size_t b = 0; b < plan.batches.size(); ++b)
    if (results[b]) done_map[b] = '1';
  world::broadcast(done_map);
  std::vector<std::size_t> todo;
  for (std::size_t b : mine)
    if (done_map[b] == '0') todo.push_back(b);

  // Cells with trials = "auto" run in rounds (engine/driver.hpp next_round): rank 0 decides each
  // round from the results so far and every rank follows. A shard cannot see the other shards'
  // batches, so it runs all of its own (merge keeps what the rule needs).
  const bool early_stop = !o.shard;
  // This process's part still to count on: what is done, and what undecided cells may need.
  const auto remaining_total = [&] {
    const std::vector<CellProgress> progress = cell_progress(plan, results);
    std::int64_t n = 0;
    for (std::size_t b : mine)
      if (results[b] || !early_stop || !progress[plan.batches[b].cell].decided)
        n += plan.batches[b].count;
    return n;
  };
  std::int64_t total = trajectories_in(plan, mine);
  std::int64_t done = total - trajectories_in(plan, todo);
  if (rank == 0) total = remaining_total();
  outcome.trajectories_total = total;
  outcome.backend_description = backend->description();
  if (ranks > 1) outcome.backend_description += " x " + std::to_string(ranks) + " MPI ranks";
  if (rank == 0) {
    const bool any_auto = std::any_of(plan.cells.begin(), plan.cells.end(),
                                      [](const CellConfig& c) { return c.trials_auto; });
    log << "relusim: " << plan.cells.size() << " cell(s), " << (any_auto ? "up to " : "")
        << plan.total_trajectories << " trajectories in " << plan.batches.size() << " batch(es) on "
        << outcome.backend_description << '\n';
    if (o.shard)
      log << "relusim: shard " << shard.index << "/" << shard.count << ": " << mine.size()
          << " batch(es), " << total << " trajectories\n";
    if (resumed > 0)
      log << "relusim: resuming: " << resumed << " batch(es) (" << done
          << " trajectories) done already, " << todo.size() << " to run\n";
  }

  ProgressBar bar(log, rank == 0 && o.show_progress);
  if (rank == 0 && o.on_progress) o.on_progress(done, total);
  std::function<bool()> stop = o.stop_requested;
  if (!stop) {
    install_stop_handlers();
    stop = [] { return g_stop_signal != 0; };
  }
  const FaultInjection fault = rank == 0 && journal ? test_fault() : FaultInjection{};
  if (fault.count == 0) std::raise(fault.sig);
  long journalled = 0;
  std::int64_t ran = 0;  // trajectories this call ran
  const BatchSink sink = [&](std::size_t b, BatchResult&& r) {
    if (journal) {
      journal->append(b, r);
      if (++journalled == fault.count) std::raise(fault.sig);
    }
    done += plan.batches[b].count;
    ran += plan.batches[b].count;
    results[b] = std::move(r);
    bar.update(done, total);
    if (o.on_progress) o.on_progress(done, total);
  };
  const auto t0 = std::chrono::steady_clock::now();
  bool complete = true;
  for (;;) {
    // Rank 0 names the round's batches ('1' per batch), "" when nothing is left, "x" to stop.
    std::string round_map;
    std::vector<std::size_t> round;
    if (rank == 0) {
      round = complete ? next_round(plan, todo, results, early_stop) : round;
      if (!complete) {
        round_map = "x";
      } else if (!round.empty()) {
        round_map.assign(plan.batches.size(), '0');
        for (std::size_t b : round)
          round_map[b] = '1';
      }
      total = remaining_total();
      bar.update(done, total);
    }
    world::broadcast(round_map);
    if (round_map.empty() || round_map == "x") break;
    if (rank != 0)
      for (std::size_t b = 0; b < round_map.size(); ++b)
        if (round_map[b] == '1') round.push_back(b);
    complete = world::run_over_ranks(plan, round, *backend, o.keep_trajectories, o.keep_weights,
                                     sink, stop, [&] {
                                       if (ranks > 1 && o.backend != BackendKind::cpu)
                                         cuda_bind_device(world::local_rank());
                                     });
  }
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  outcome.trajectories_done = done;
  outcome.trajectories_total = total;
  if (rank != 0) {
    outcome.status = JobStatus::other_rank;
    return outcome;
  }
  bar.finish();
  if (!complete) {
    const int sig = g_stop_signal != 0 ? static_cast<int>(g_stop_signal) : SIGTERM;
    log << "relusim: stopped "
        << (g_stop_signal != 0 ? "by signal " + std::to_string(sig) : std::string("on request"))
        << " with " << done << " of " << total << " trajectories done\n";
    if (journal) {
      std::string again = !o.resume_hint.empty() ? o.resume_hint
                          : o.command.find(" --resume") == std::string::npos
                              ? o.command + " --resume"
                              : o.command;
      if (ranks > 1) again = "mpirun -n " + std::to_string(ranks) + " " + again;
      log << "relusim: the journal in " << o.out_dir
          << " keeps every completed batch; resume with:\n  " << again << '\n';
    } else {
      log << "relusim: nothing was written (with --out DIR a sweep can be resumed)\n";
    }
    outcome.status = JobStatus::stopped;
    outcome.exit_code = 128 + sig;
    return outcome;
  }
  log << "relusim: " << ran << " trajectories in " << std::fixed << std::setprecision(3)
      << outcome.seconds << " s\n"
      << std::defaultfloat;
  if (o.shard) {
    nlohmann::json info = {
        {"shard", std::to_string(shard.index) + "/" + std::to_string(shard.count)},
        {"complete", true},
        {"batches", mine.size()},
        {"trajectories", total},
        {"fingerprint", job_fingerprint(header)},
        {"relusim_version", relusim_version()},
        {"git_revision", relusim_git_revision()},
        {"random_numbers", random_number_scheme()},
        {"journal", kJournalFile},
        {"seconds", outcome.seconds}};
    out->stage("shard.json", info.dump(2) + "\n");
    out->commit();
    log << "relusim: shard " << shard.index << "/" << shard.count << " complete in " << o.out_dir
        << "; when all " << shard.count << " are, merge them:\n  relusim merge DIR1 ... DIR"
        << shard.count << " --out OUT\n";
    outcome.status = JobStatus::shard_complete;
    return outcome;
  }
  outcome.results = assemble(plan, std::move(results));
  log_auto_trials(plan, outcome.results, log);
  outcome.provenance = {o.command, outcome.backend_description, outcome.seconds,
                        header_identity(header), job_fingerprint(header)};
  publish_outputs(plan, outcome.results, source, out.get(), o.out_dir, outcome.provenance,
                  o.keep_trajectories, log);
  if (journal) {
    const std::string path = journal->path();
    journal.reset();
    std::error_code ec;
    std::filesystem::remove(path, ec);  // the summary is written: nothing left to resume
  }
  outcome.status = JobStatus::complete;
  return outcome;
}

void save_job_outputs(const JobOutcome& outcome, const JobSource& source, const std::string& dir,
                      bool keep_trajectories, std::ostream* log) {
  if (outcome.status != JobStatus::complete)
    throw std::logic_error("save_job_outputs: the job did not complete");
  if (dir.empty()) throw ConfigError("out", "needs a directory");
  std::ostringstream quiet;
  OutputDirectory out(dir);
  publish_outputs(outcome.plan, outcome.results, source, &out, dir, outcome.provenance,
                  keep_trajectories, log != nullptr ? *log : quiet);
}

}  // namespace relusim
