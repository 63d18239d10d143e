// Sweep files (TOML): top-level keys set the base cell, [grid] holds one list per swept key.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "relusim/io/config.hpp"

namespace relusim {
namespace {

ParamValue to_value(const toml::node& n, const std::string& key) {
  if (const auto* i = n.as_integer()) return i->get();
  if (const auto* f = n.as_floating_point()) return f->get();
  if (const auto* b = n.as_boolean()) return b->get();
  if (const auto* s = n.as_string()) return s->get();
  if (const auto* a = n.as_array()) {
    // Numbers, or rows of numbers (a matrix, read row-major).
    std::vector<double> v;
    auto add = [&](const toml::node& e, auto& self) -> void {
      if (const auto* i = e.as_integer()) {
        v.push_back(static_cast<double>(i->get()));
      } else if (const auto* f = e.as_floating_point()) {
        v.push_back(f->get());
      } else if (const auto* row = e.as_array()) {
        for (const toml::node& x : *row) {
          if (x.is_array()) throw ConfigError(key, "lists nest at most two deep (a matrix)");
          self(x, self);
        }
      } else {
        throw ConfigError(key, "list entries must be numbers");
      }
    };
    for (const toml::node& e : *a)
      add(e, add);
    return v;
  }
  throw ConfigError(key, "unsupported value (expected a number, boolean, string or list)");
}

std::string where(const toml::node& n, const std::string& source) {
  const auto& src = n.source();
  return source + ":" + std::to_string(src.begin.line);
}

/// Refuses a [grid] list that holds one value twice: its two cells would be identical (cells
/// that share a seed share their random numbers), so it is a slip, and it would count one
/// setting twice in anything taken over the sweep.
void refuse_repeats(const std::string& key, const std::vector<ParamValue>& list,
                    const toml::array& values, const std::string& source) {
  const auto has_nan = [](const ParamValue& v) {
    if (const auto* d = std::get_if<double>(&v)) return std::isnan(*d);
    if (const auto* xs = std::get_if<std::vector<double>>(&v))
      return std::any_of(xs->begin(), xs->end(), [](double x) { return std::isnan(x); });
    return false;
  };
  if (std::any_of(list.begin(), list.end(), has_nan)) return;  // validation refuses NaN
  std::vector<std::size_t> order(list.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&list](std::size_t a, std::size_t b) {
    return list[a] < list[b] || (list[a] == list[b] && a < b);
  });
  for (std::size_t i = 1; i < order.size(); ++i)
    if (list[order[i]] == list[order[i - 1]])
      throw ConfigError(key, "a [grid] list holds one value twice (" +
                                 where(*values.get(order[i]), source) +
                                 "); its two cells would be identical");
}

}  // namespace

void expand_grid(SweepConfig& sweep) {
  sweep.cells.clear();
  // The product of the axes, checked before anything is allocated.
  // 10^5 cells expand and validate in about a second; the fuzzer found a grid of 980,000
  // cells that took 14 s (under ASan) and 0.9 GB (tests/fuzz/corpus/sweep/timeout-*.toml).
  constexpr std::size_t kMaxCells = 100'000;
  const std::size_t zip_points = sweep.zip.empty() ? 1 : sweep.zip.front().second.size();
  for (const auto& [key, values] : sweep.zip)
    if (values.size() != zip_points)
      throw ConfigError("zip", "its lists must have one length: " + sweep.zip.front().first +
                                   " has " + std::to_string(zip_points) + " values, " + key + " " +
                                   std::to_string(values.size()));
  if (zip_points > kMaxCells)
    throw ConfigError("zip", "expands to more than " + std::to_string(kMaxCells) + " cells");
  std::size_t product = zip_points;
  for (const auto& [key, values] : sweep.axes) {
    if (values.size() > kMaxCells / product)
      throw ConfigError("grid", "expands to more than " + std::to_string(kMaxCells) +
                                    " cells; split the sweep into several files");
    product *= values.size();
  }
  // Every cell copies the explicit vectors (teacher, init, top weights): bound the copies too.
  constexpr std::size_t kMaxEntries = 20'000'000;
  const CellConfig& base = sweep.base;
  std::size_t longest = base.teacher_vector.size() + base.init_vector.size();
  for (const ParamInfo& p : cell_parameters(base.model))  // a model's own lists (B's top weights)
    if (const std::vector<double>* v = p.numbers != nullptr ? p.numbers(base) : nullptr)
      if (v != &base.teacher_vector && v != &base.init_vector) longest += v->size();
  for (const auto* lists : {&sweep.zip, &sweep.axes})
    for (const auto& [key, values] : *lists)
      for (const ParamValue& v : values)
        if (const auto* vec = std::get_if<std::vector<double>>(&v))
          longest = std::max(longest, 3 * vec->size());
  if (longest > 0 && product > kMaxEntries / longest)
    throw ConfigError("grid", "expands to " + std::to_string(product) + " cells that each copy " +
                                  std::to_string(longest) +
                                  " vector entries; split the sweep into several files");
  for (std::size_t z = 0; z < zip_points; ++z) {
    std::vector<std::size_t> index(sweep.axes.size(), 0);
    for (bool more = true; more;) {
      CellConfig cell = sweep.base;
      for (const auto& [key, values] : sweep.zip)
        set_parameter(cell, key, values[z]);
      for (std::size_t a = 0; a < sweep.axes.size(); ++a)
        set_parameter(cell, sweep.axes[a].first, sweep.axes[a].second[index[a]]);
      validate(cell);
      sweep.cells.push_back(std::move(cell));
      more = false;
      for (std::size_t a = sweep.axes.size(); a-- > 0;) {
        if (++index[a] < sweep.axes[a].second.size()) {
          more = true;
          break;
        }
        index[a] = 0;
      }
    }
  }
}

SweepConfig parse_sweep_text(const std::string& text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << source_name << ":" << e.source().begin.line << ": " << e.description();
    throw ConfigError("", os.str());
  }
  SweepConfig sweep;
  // The model comes first: it decides which keys exist and their defaults.
  if (const toml::node* m = root.get("model")) {
    if (m->is_table()) throw ConfigError("model", "must be a name such as \"A\" or \"B\"");
    set_parameter(sweep.base, "model", to_value(*m, "model"));
  }
  std::vector<std::pair<std::string, std::vector<ParamValue>>> axes, zip;
  for (const auto& [k, node] : root) {
    const std::string key(k.str());
    if (key == "model") continue;
    if (key == "grid" || key == "zip") {
      const toml::table* grid = node.as_table();
      if (grid == nullptr) throw ConfigError(key, "must be a table: [" + key + "]");
      const bool zipped = key == "zip";
      for (const auto& [gk, gnode] : *grid) {
        const std::string gkey(gk.str());
        if (gkey == "model")
          throw ConfigError("model",
                            "cannot be swept: models have different keys; write one sweep file "
                            "per model");
        find_parameter(sweep.base.model, gkey);  // unknown keys and other models' keys fail here
        const toml::array* values = gnode.as_array();
        if (values == nullptr || values->empty())
          throw ConfigError(gkey, "a [" + key + "] entry must be a non-empty list (" +
                                      where(gnode, source_name) + ")");
        std::vector<ParamValue> list;
        for (const toml::node& v : *values)
          list.push_back(to_value(v, gkey));
        // A zipped list may repeat a value (the points differ in another list); identical
        // points are refused with the cells (refuse_identical_cells).
        if (!zipped) refuse_repeats(gkey, list, *values, source_name);
        (zipped ? zip : axes).emplace_back(gkey, std::move(list));
      }
      continue;
    }
    if (node.is_table()) throw ConfigError(key, "unknown table; the tables are [grid] and [zip]");
    const ParamInfo& info = find_parameter(sweep.base.model, key);
    const ParamValue value = to_value(node, key);
    if (std::holds_alternative<std::vector<double>>(value) &&
        info.type != ParamType::vector_or_choice)
      throw ConfigError(key, "expected a single value; put lists of values to sweep under [grid]");
    info.set(sweep.base, value);
  }
  // Axes in registry order, so the table's columns and the cells' order do not depend on how
  // the file is laid out.
  for (const auto& z : zip)
    for (const auto& axis : axes)
      if (axis.first == z.first)
        throw ConfigError(z.first, "is in [zip] and in [grid]; a key varies in one of them");
  for (const ParamInfo& p : cell_parameters(sweep.base.model)) {
    for (auto& axis : axes)
      if (axis.first == p.key) sweep.axes.push_back(std::move(axis));
    for (auto& z : zip)
      if (z.first == p.key) sweep.zip.push_back(std::move(z));
  }
  expand_grid(sweep);
  return sweep;
}

SweepConfig load_sweep_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status))
    throw ConfigError("", "sweep file '" + path + "' does not exist");
  if (std::filesystem::is_directory(status))
    throw ConfigError("", "'" + path + "' is a directory, not a sweep file");
  if (!std::filesystem::is_regular_file(status))
    throw ConfigError("", "'" + path + "' is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("", "cannot read sweep file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw ConfigError("", "cannot read sweep file '" + path + "'");
  const std::string text = ss.str();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw ConfigError("", "sweep file '" + path + "' is empty");
  SweepConfig s = parse_sweep_text(text, path);
  s.text = text;
  return s;
}

}  // namespace relusim
