// The experiments of `relusim reproduce`, one file each (src/reproduce/experiments/NAME.cpp),
// their figure scripts in src/reproduce/figures/NAME/. Private to src/reproduce.
#pragma once

#include <vector>

#include "relusim/reproduce/lab.hpp"

namespace relusim {

Experiment kong_table1_experiment();
Experiment kong_fig1_experiment();
Experiment kong_fig2_experiment();
Experiment tian_fig2_experiment();
Experiment tian_fig3_experiment();
Experiment tian_thm33_experiment();
Experiment tian_fig4_experiment();
Experiment tian_thm41_experiment();
Experiment tian_fig5_experiment();
Experiment liyuan_fig7_experiment();
Experiment liyuan_fig8_experiment();
Experiment prelu_fig4_experiment();
Experiment identity_zero_init_experiment();

/// Every experiment, in the order `reproduce list` prints them (by paper: Kong, Tian, Li & Yuan
/// and the PReLU report).
std::vector<Experiment> experiment_list();

}  // namespace relusim
