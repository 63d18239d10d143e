// `relusim run`: one cell given by flags, run as a job (include/relusim/app/job.hpp).
#include <memory>

#include "commands.hpp"
#include "options.hpp"

namespace relusim::cli {

Command add_run(CLI::App& app, const Context& ctx) {
  struct State {
    CommonOptions common;
    std::map<std::string, std::string> values;
  };
  auto s = std::make_shared<State>();
  CLI::App* run = app.add_subcommand("run",
                                     "run one cell given by flags (defaults: Model A, fixed mode, "
                                     "N=10, d=2, ball init, 1000 trials; --model B: K=2, "
                                     "orthonormal teacher, gaussian init)");
  add_cell_options(*run, s->values);
  add_common_options(*run, s->common);
  return {run, [s, run, &ctx] {
            const CellConfig cell = cell_from_options(s->values, *run);
            return finish_job(
                run_job({cell}, cell_job_source(cell), job_options(s->common, ctx.command)));
          }};
}

}  // namespace relusim::cli
