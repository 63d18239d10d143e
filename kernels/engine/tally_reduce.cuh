// Per-cell tallies of a wave's records in one reduce_by_key: the keys are the records' cell
// (batch) indices, which come in runs because a wave lists each batch's trajectories together.
// Written for any Thrust execution policy: the CUDA backend passes thrust::cuda::par.on(stream),
// the tests the host (CPP) system.
#pragma once

#include <thrust/functional.h>
#include <thrust/iterator/transform_iterator.h>
#include <thrust/reduce.h>

#include <cstddef>
#include <cstdint>

#include "relusim/engine/tally.hpp"

namespace relusim {

/// Writes one (key, tally) pair per run of equal keys; returns the number of runs.
template <class Policy>
std::size_t reduce_tallies_by_key(const Policy& policy, const std::uint32_t* keys,
                                  const TrajectoryRecord* records, std::size_t n,
                                  std::uint32_t* keys_out, CellTally* tallies_out) {
  const auto values = thrust::make_transform_iterator(records, TallyOfRecord{});
  const auto ends = thrust::reduce_by_key(policy, keys, keys + n, values, keys_out, tallies_out,
                                          thrust::equal_to<std::uint32_t>(), TallyPlus{});
  return static_cast<std::size_t>(ends.first - keys_out);
}

}  // namespace relusim
