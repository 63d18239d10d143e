// Per-run tallies of a wave for the CPU executors of the wave-loop tests: the device reduction's
// source (kernels/engine/tally_reduce.cuh) on Thrust's host system when available.
#pragma once

#include <vector>

#include "relusim/engine/waves.hpp"

#ifdef RELUSIM_HAVE_THRUST
#include <thrust/execution_policy.h>

#include "tally_reduce.cuh"
#endif

namespace relusim::testing {

inline void reduce_runs(const std::uint32_t* keys, const std::vector<TrajectoryRecord>& records,
                        WaveOutput& w) {
  const std::size_t n = records.size();
  w.keys.resize(n);
  w.tallies.resize(n);
#ifdef RELUSIM_HAVE_THRUST
  const std::size_t runs =
      reduce_tallies_by_key(thrust::host, keys, records.data(), n, w.keys.data(), w.tallies.data());
#else
  std::size_t runs = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (k == 0 || keys[k] != keys[k - 1]) {
      w.keys[runs] = keys[k];
      w.tallies[runs++] = CellTally{};
    }
    w.tallies[runs - 1] = w.tallies[runs - 1] + tally_of(records[k]);
  }
#endif
  w.keys.resize(runs);
  w.tallies.resize(runs);
}

}  // namespace relusim::testing
