#include "relusim/models/finish.hpp"

#include "relusim/models/model_info.hpp"

namespace relusim {
namespace {

bool finishes(const TrajectoryBatch& b) {
  const ModelInfo& m = model_info(b.cell->model);
  return m.finish != nullptr && m.finishes != nullptr && m.finishes(*b.cell);
}

}  // namespace

std::vector<TrajectoryBatch> batches_for_finish(const std::vector<TrajectoryBatch>& asked) {
  std::vector<TrajectoryBatch> out = asked;
  for (TrajectoryBatch& b : out)
    if (finishes(b)) b.keep_records = b.keep_weights = true;
  return out;
}

void finish_batches(const std::vector<TrajectoryBatch>& asked, std::vector<BatchResult>& outs) {
  for (std::size_t i = 0; i < asked.size() && i < outs.size(); ++i) {
    if (!finishes(asked[i])) continue;
    model_info(asked[i].cell->model).finish(*asked[i].cell, outs[i]);
    if (!asked[i].keep_records) outs[i].records = {};
    if (!asked[i].keep_weights) outs[i].final_weights = {};
  }
}

}  // namespace relusim
