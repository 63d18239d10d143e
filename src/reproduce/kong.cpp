// Pieces of Kong's experiments that the tests check on their own (reproduce/kong.hpp); the
// experiments are src/reproduce/experiments/kong_*.cpp.
#include "relusim/reproduce/kong.hpp"

#include <string>
#include <vector>

#include "relusim/engine/stats.hpp"

namespace relusim {

Claim kong_theorem5_claim(const std::vector<CellResult>& results) {
  int violated = 0, compared = 0, censored = 0;
  for (const CellResult& r : results) {
    const std::string& v = r.summary.verdict;
    if (v == kVerdictHolds || v == kVerdictViolated) ++compared;
    if (v == kVerdictViolated) ++violated;
    if (v == kVerdictCensored) ++censored;
  }
  Claim c;
  c.id = "theorem5-holds";
  c.paper = "Theorem 5: P(converge) >= (1 - eps)(1 - A_d)/2 for small lambda";
  c.measured = std::to_string(compared) + " of " + std::to_string(results.size()) +
               " cells (both signs, l2, l1sq, l1) meet the small-lambda hypothesis for most "
               "designs; the bound is violated in " +
               std::to_string(violated) + " of them";
  if (censored > 0)
    c.measured += "; " + std::to_string(censored) +
                  " more are censored (too many trajectories undecided at the step budget to "
                  "tell)";
  c.value = violated;
  if (violated > 0) {
    c.verdict = kNotReproduced;
    c.reason = "the interval lies below the bound inside the hypotheses";
  } else if (compared == 0) {
    c.verdict = kNotReproduced;
    c.reason = censored > 0 ? "every cell within the hypotheses is censored: raise steps"
                            : "no cell within the hypotheses";
  } else if (censored > 0) {
    c.verdict = kPartly;
    c.reason = std::to_string(censored) + " cells within the hypotheses are censored: raise steps";
  } else {
    c.verdict = kReproduced;
  }
  return c;
}

}  // namespace relusim
