// Pieces of Kong's experiments (src/reproduce/kong.cpp; the experiments are
// src/reproduce/experiments/kong_*.cpp) that the tests check on their own.
#pragma once

#include <vector>

#include "relusim/engine/driver.hpp"
#include "relusim/reproduce/lab.hpp"

namespace relusim {

/// The `theorem5-holds` claim of `reproduce kong-table1` from the grid's cells: reproduced when
/// some cell within the theorem's hypotheses was compared and none is `violated`; `partly` when
/// none is violated but some are `censored` (too many trajectories still undecided at the step
/// budget to tell, named in `measured`); not reproduced otherwise.
Claim kong_theorem5_claim(const std::vector<CellResult>& results);

}  // namespace relusim
