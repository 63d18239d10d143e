#include "relusim/models/registry.hpp"

namespace relusim {

const ModelInfo& model_info(const std::string& name) {
  return with_model(name, [](auto tag) -> const ModelInfo& {
    return ModelHost<typename decltype(tag)::type>::info();
  });
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for_each_model([&](auto tag) { names.push_back(decltype(tag)::type::kName); });
  return names;
}

}  // namespace relusim
