// The one registry of models: a run-time name to a model type, over the one list of models
// (models/list.hpp). `with_model` is the switch from a name to a model; code that needs a model
// is generic, or a template over the model type called through it.
#pragma once

#include <string>

#include "relusim/engine/model.hpp"
#include "relusim/io/config.hpp"
#include "relusim/models/list.hpp"

namespace relusim {

namespace detail {

template <class... M>
std::string model_names_text(ModelList<M...>) {
  std::string s;
  const char* names[] = {M::kName...};
  for (std::size_t i = 0; i < sizeof...(M); ++i)
    s += std::string(i == 0 ? "" : (i + 1 == sizeof...(M) ? " or " : ", ")) + names[i];
  return s;
}

template <class F, class M, class... Rest>
decltype(auto) dispatch_model(const std::string& name, F& f) {
  if (name == M::kName) return f(ModelTag<M>{});
  if constexpr (sizeof...(Rest) > 0) {
    return dispatch_model<F, Rest...>(name, f);
  } else {
    throw ConfigError("model",
                      "unknown model '" + name + "'; expected " + model_names_text(Models{}));
  }
}

template <class F, class... M>
decltype(auto) dispatch_model_in(ModelList<M...>, const std::string& name, F& f) {
  return dispatch_model<F, M...>(name, f);
}

}  // namespace detail

/// Calls f(ModelTag<M>{}) for the model named `name`; throws ConfigError("model") if unknown.
template <class F>
decltype(auto) with_model(const std::string& name, F&& f) {
  return detail::dispatch_model_in(Models{}, name, f);
}

/// Calls f(ModelTag<M>{}) for every model of the list, in its order.
template <class F>
void for_each_model(F&& f) {
  [&]<class... M>(ModelList<M...>) { (f(ModelTag<M>{}), ...); }(Models{});
}

}  // namespace relusim
