// `relusim sweep`: a grid of cells from a TOML file, run as a job (include/relusim/app/job.hpp),
// whole or one shard of it.
#include <memory>

#include "commands.hpp"
#include "options.hpp"

namespace relusim::cli {

Command add_sweep(CLI::App& app, const Context& ctx) {
  struct State {
    CommonOptions common;
    std::string file;
    std::string trials;
    std::string shard;
  };
  auto s = std::make_shared<State>();
  CLI::App* sweep = app.add_subcommand("sweep",
                                       "run a grid of cells defined in a TOML file "
                                       "(top-level keys: base values; [grid]: lists)");
  sweep->add_option("file", s->file, "the sweep file, e.g. examples/kong-table1.toml")->required();
  sweep->add_option("--trials", s->trials,
                    "override the trials of every cell (read as the key `trials` is: 1e5 works)");
  add_common_options(*sweep, s->common);
  CLI::Option* shard =
      sweep
          ->add_option("--shard", s->shard,
                       "run only part k of N (k/N; alone or 'slurm': the Slurm array task, "
                       "SLURM_ARRAY_TASK_ID counted from SLURM_ARRAY_TASK_MIN, of "
                       "SLURM_ARRAY_TASK_COUNT) into --out DIR; `relusim merge` joins the parts")
          ->expected(0, 1);
  return {sweep, [s, shard, &ctx] {
            SweepJob job = load_sweep_job(s->file, s->trials);
            JobOptions options = job_options(s->common, ctx.command);
            if (shard->count() > 0) options.shard = parse_shard(s->shard);
            return finish_job(run_job(std::move(job.cells), job.source, options));
          }};
}

}  // namespace relusim::cli
