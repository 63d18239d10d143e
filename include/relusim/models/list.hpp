// The one list of models. The registry (models/registry.hpp: names to types, model_names()),
// the conformance suite and the GPU-against-CPU tests all take their models from it; a model
// added here and in its own folder(s) runs everywhere (docs/adding-a-model.md).
#pragma once

#include "relusim/models/a/host.hpp"
#include "relusim/models/b/host.hpp"
#include "relusim/models/c/host.hpp"

namespace relusim {

/// A list of model types.
template <class... M>
struct ModelList {};

using Models = ModelList<ModelA, ModelB, ModelC>;

}  // namespace relusim
