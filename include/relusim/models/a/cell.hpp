// Model A's own keys of a cell (io/config.hpp ModelFields): the regulariser and its sign.
#pragma once

#include <string>

#include "relusim/models/a/types.hpp"

namespace relusim {

struct ModelACell {
  Regularizer regularizer = Regularizer::none;
  Convention convention = Convention::descent;
  double lambda = 0.0;
};

/// The names the user writes (models/a/registration.cpp).
std::string to_string(Regularizer r);
std::string to_string(Convention c);

}  // namespace relusim
