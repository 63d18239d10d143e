#include "relusim/models/trace.hpp"

#include "relusim/models/registry.hpp"

namespace relusim {

TrajectoryRecord trace_trajectory(const CellConfig& cell, std::uint32_t id, std::int64_t every,
                                  std::ostream& os) {
  if (id >= cell.trials) throw ConfigError("trajectory", "must lie in [0, trials)");
  if (every < 1) throw ConfigError("every", "must be >= 1");
  return model_entry(cell.model).trace(cell, id, every, os);
}

}  // namespace relusim
