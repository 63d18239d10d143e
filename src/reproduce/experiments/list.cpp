// The list of experiments: adding one is its file here, its figure scripts in
// src/reproduce/figures/NAME/, and one line below.
#include "experiments.hpp"

namespace relusim {

std::vector<Experiment> experiment_list() {
  return {kong_table1_experiment(),       kong_fig1_experiment(),   kong_fig2_experiment(),
          tian_fig2_experiment(),         tian_fig3_experiment(),   tian_thm33_experiment(),
          tian_fig4_experiment(),         tian_thm41_experiment(),  tian_fig5_experiment(),
          liyuan_fig7_experiment(),       liyuan_fig8_experiment(), prelu_fig4_experiment(),
          identity_zero_init_experiment()};
}

}  // namespace relusim
