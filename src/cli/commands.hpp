// The command line's commands, one file each (src/cli/<command>.cpp): each adds its subcommand
// and options to the app and returns what runs it once parsed. Commands only parse: the work
// is the library's (the job layer, include/relusim/app/job.hpp, the reproduce lab, theory).
#pragma once
#include <functional>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>

namespace relusim::cli {

/// The whole command line as a shell would take it back (filled in before a command runs).
struct Context {
  std::string command;
};

using Action = std::function<int()>;
using Command = std::pair<CLI::App*, Action>;

Command add_run(CLI::App& app, const Context& ctx);
Command add_sweep(CLI::App& app, const Context& ctx);
Command add_merge(CLI::App& app, const Context& ctx);
Command add_theory(CLI::App& app, const Context& ctx);
Command add_trace(CLI::App& app, const Context& ctx);
Command add_field(CLI::App& app, const Context& ctx);
Command add_bench(CLI::App& app, const Context& ctx);
Command add_reproduce(CLI::App& app, const Context& ctx);

}  // namespace relusim::cli
