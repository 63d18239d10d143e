// `relusim trace`: one trajectory's path as CSV on stdout (trace_trajectory).
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "options.hpp"
#include "relusim/models/model_info.hpp"
#include "relusim/models/trace.hpp"

namespace relusim::cli {

Command add_trace(CLI::App& app, const Context&) {
  struct State {
    std::map<std::string, std::string> values;
    std::int64_t id = 0, every = 100;
  };
  auto s = std::make_shared<State>();
  CLI::App* trace = app.add_subcommand(
      "trace",
      "print one trajectory's path as CSV on stdout: step, loss, distance to the target, "
      "angle to w*, w");
  add_cell_options(*trace, s->values);
  trace->add_option("--trajectory", s->id, "trajectory id (as in trajectories.csv)")
      ->capture_default_str();
  trace->add_option("--every", s->every, "print every k-th step (and the last)")
      ->check(at_least(1))
      ->capture_default_str();
  return {trace, [s, trace] {
            const CellConfig cell = cell_from_options(s->values, *trace);
            if (s->id < 0 || s->id >= cell.trials)
              throw ConfigError("trajectory", "must lie in [0, trials)");
            const ModelInfo& model = model_info(cell.model);
            const TrajectoryRecord r =
                trace_trajectory(cell, static_cast<std::uint32_t>(s->id), s->every, std::cout);
            std::cerr << "relusim: trajectory " << s->id << ": "
                      << model.outcomes[static_cast<std::size_t>(r.outcome)] << " after " << r.steps
                      << " steps (";
            for (std::size_t i = 0; i < model.trace_columns.size(); ++i)
              std::cerr << (i ? ", " : "") << model.trace_columns[i].first << ' '
                        << r.slot[model.trace_columns[i].second];
            std::cerr << ")\n";
            return 0;
          }};
}

}  // namespace relusim::cli
