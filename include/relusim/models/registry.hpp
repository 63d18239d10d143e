// The one registry of models: a run-time name to a model type. `with_model` is the only switch
// over models in relusim; everything else is generic or a template over the model type.
#pragma once

#include <string>

#include "relusim/io/config.hpp"
#include "relusim/models/a/host.hpp"
#include "relusim/models/b/host.hpp"
#include "relusim/models/c/host.hpp"
#include "relusim/models/model_host.hpp"

namespace relusim {

/// Calls f(ModelTag<M>{}) for the model named `name`; throws ConfigError("model") if unknown.
template <class F>
decltype(auto) with_model(const std::string& name, F&& f) {
  if (name == ModelA::kName) return f(ModelTag<ModelA>{});
  if (name == ModelB::kName) return f(ModelTag<ModelB>{});
  if (name == ModelC::kName) return f(ModelTag<ModelC>{});
  throw ConfigError("model", "unknown model '" + name + "'; expected A, B or C");
}

}  // namespace relusim
