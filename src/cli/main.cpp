// relusim: the command line. Each command parses its options in its own file (commands.hpp)
// and calls the library; this file builds the app, runs the parsed command and turns errors
// into exit codes: 0 success, 1 failure of the environment, 2 bad input.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "relusim/app/job.hpp"
#include "relusim/engine/world.hpp"
#include "relusim/io/journal.hpp"
#include "relusim/io/report.hpp"

namespace relusim::cli {
namespace {

/// The command as a shell would take it back (the resume hint prints it).
std::string command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i)
    s += (i ? " " : "") + shell_quote(argv[i]);
  return s;
}

int main_impl(int argc, char** argv) {
  CLI::App app{"relusim " + relusim_version() +
               ": Monte Carlo simulator of teacher-student gradient dynamics of ReLU networks.\n"
               "Runs many independent trajectories, classifies how each ends and reports\n"
               "convergence rates with 95% Wilson intervals next to the papers' bounds."};
  app.require_subcommand(1);
  app.set_version_flag("--version", relusim_version() + " (" + relusim_git_revision() + ")");
  Context ctx;
  const std::vector<Command> commands = {
      add_run(app, ctx),   add_sweep(app, ctx), add_merge(app, ctx),     add_theory(app, ctx),
      add_trace(app, ctx), add_field(app, ctx), add_reproduce(app, ctx), add_bench(app, ctx)};
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
  ctx.command = command_line(argc, argv);
  for (const auto& [sub, action] : commands)
    if (sub->parsed()) return action();
  return 2;
}

/// Ends the job on every rank: a failure on one rank ends them all (MPI_Abort) instead of
/// leaving the others waiting; bad input, the same on every rank, ends each one cleanly.
int finish(int code, bool abort_ranks = false) {
  if (abort_ranks && world::size() > 1) world::abort(code);
  world::finalize();
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
}  // namespace relusim::cli

int main(int argc, char** argv) {
  using namespace relusim;
  // A closed pipe is an error to report (check_stdout), not a silent death by SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  world::init(&argc, &argv);
  try {
    return cli::finish(cli::check_stdout(cli::main_impl(argc, argv)));
  } catch (const std::bad_alloc&) {
    std::cerr << "relusim: error: out of memory (each thread holds a trajectory's design, N x d "
                 "numbers, and each batch its records, about 100 bytes a trajectory; use fewer "
                 "--threads, a smaller N, d or --batch-trajectories, or --precision float)\n";
    return cli::finish(1, true);
  } catch (const JobFailed& e) {
    // The ranks agreed on it (each ends cleanly); only rank 0 throws it.
    std::cerr << "relusim: " << (e.code() == 2 ? "bad input: " : "error: ") << one_line(e.what())
              << '\n';
    return cli::finish(e.code());
  } catch (const ConfigError& e) {
    if (world::rank() == 0) std::cerr << "relusim: bad input: " << one_line(e.what()) << '\n';
    return cli::finish(2);
  } catch (const JournalError& e) {
    std::cerr << "relusim: bad input: " << one_line(e.what()) << '\n';
    return cli::finish(2, true);
  } catch (const std::exception& e) {
    std::cerr << "relusim: error: " << one_line(e.what()) << '\n';
    return cli::finish(1, true);
  }
}
