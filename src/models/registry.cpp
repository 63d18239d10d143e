// The registry's table: the list's models, then those added at run time.
#include "relusim/models/registry.hpp"

#include <deque>
#include <stdexcept>

namespace relusim {
namespace {

/// A deque: the entries model_entry handed out stay where they are when a model is added.
std::deque<ModelEntry>& entries() {
  static std::deque<ModelEntry> table = [] {
    std::deque<ModelEntry> t;
    for_each_model(
        [&](auto tag) { t.push_back(make_model_entry<typename decltype(tag)::type>(true)); });
    return t;
  }();
  return table;
}

}  // namespace

namespace detail {
std::string names_text(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i)
    s += std::string(i == 0 ? "" : (i + 1 == names.size() ? " or " : ", ")) + names[i];
  return s;
}
}  // namespace detail

const ModelEntry& model_entry(const std::string& name) {
  for (const ModelEntry& e : entries())
    if (e.info->name == name) return e;
  throw ConfigError("model",
                    "unknown model '" + name + "'; expected " + detail::names_text(model_names()));
}

void add_model(const ModelEntry& entry) {
  for (const ModelEntry& e : entries())
    if (e.info->name == entry.info->name)
      throw std::logic_error("a model named '" + entry.info->name + "' is registered already");
  entries().push_back(entry);
}

const ModelInfo& model_info(const std::string& name) {
  return *model_entry(name).info;
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const ModelEntry& e : entries())
    names.push_back(e.info->name);
  return names;
}

std::optional<TeamCensus> team_census_of(const CellConfig& cell, std::int64_t trajectories) {
  const ModelEntry& e = model_entry(cell.model);
  return e.census != nullptr ? e.census(cell, trajectories) : std::nullopt;
}

}  // namespace relusim
