// `relusim sweep`: a grid of cells from a TOML file, run as a job (include/relusim/app/job.hpp),
// whole or one shard of it.
#include <cstdio>
#include <iostream>
#include <memory>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/thread_pool.hpp"

#include "commands.hpp"
#include "options.hpp"

namespace relusim::cli {

Command add_sweep(CLI::App& app, const Context& ctx) {
  struct State {
    CommonOptions common;
    std::string file;
    std::string trials;
    std::string shard;
    bool estimate = false;
  };
  auto s = std::make_shared<State>();
  CLI::App* sweep = app.add_subcommand("sweep",
                                       "run a grid of cells defined in a TOML file "
                                       "(top-level keys: base values; [grid]: lists)");
  sweep->add_option("file", s->file, "the sweep file, e.g. examples/kong-table1.toml")->required();
  sweep->add_option("--trials", s->trials,
                    "override the trials of every cell (read as the key `trials` is: 1e5 works)");
  add_common_options(*sweep, s->common);
  sweep->add_flag("--estimate", s->estimate,
                  "run nothing: print the performance model's estimate (docs/gpu.md) of the "
                  "sweep's seconds on an H100 and on this machine's CPU backend, for every "
                  "trajectory running its whole step budget (an upper bound with early stops)");
  CLI::Option* shard =
      sweep
          ->add_option("--shard", s->shard,
                       "run only part k of N (k/N; alone or 'slurm': the Slurm array task, "
                       "SLURM_ARRAY_TASK_ID counted from SLURM_ARRAY_TASK_MIN, of "
                       "SLURM_ARRAY_TASK_COUNT) into --out DIR; `relusim merge` joins the parts")
          ->expected(0, 1);
  return {sweep, [s, shard, &ctx] {
            SweepJob job = load_sweep_job(s->file, s->trials);
            if (s->estimate) {
              const int threads = resolve_threads(s->common.threads);
              const BackendEstimate e = estimate_backends(job.cells, threads);
              if (!e.modelled) {
                std::cout << "no estimate: the performance model does not cover these cells\n";
                return 0;
              }
              std::printf(
                  "performance model (an estimate, docs/gpu.md), every trajectory running its "
                  "whole budget:\n  H100 (CUDA backend): %.3g s\n  this machine's CPU backend "
                  "(%d threads): %.3g s\n",
                  e.gpu_seconds, threads, e.cpu_seconds);
              return 0;
            }
            JobOptions options = job_options(s->common, ctx.command);
            if (shard->count() > 0) options.shard = parse_shard(s->shard);
            return finish_job(run_job(std::move(job.cells), job.source, options));
          }};
}

}  // namespace relusim::cli
