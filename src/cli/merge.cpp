// `relusim merge`: a sweep's shards into one summary (merge_shards, include/relusim/app/job.hpp).
#include <memory>
#include <vector>

#include "commands.hpp"
#include "options.hpp"

namespace relusim::cli {

Command add_merge(CLI::App& app, const Context& ctx) {
  struct State {
    std::vector<std::string> dirs;
    std::string out;
    bool force = false;
  };
  auto s = std::make_shared<State>();
  CLI::App* merge = app.add_subcommand(
      "merge",
      "join the --out directories of a sweep's shards (sweep --shard k/N) into the summary one "
      "process would have written; refuses missing, duplicate, incomplete or foreign shards");
  merge->add_option("dirs", s->dirs, "the shards' output directories")->required();
  merge->add_option("--out", s->out, "directory for summary.csv and summary.json")->required();
  merge->add_flag("--force", s->force,
                  "replace the summary of another configuration that --out DIR holds");
  return {merge,
          [s, &ctx] { return finish_job(merge_shards(s->dirs, s->out, s->force, ctx.command)); }};
}

}  // namespace relusim::cli
