// What the fuzz targets feed relusim (tests/fuzz/): the sweep-file reader and the flag-value
// parser with validation. Bad input must end in a ConfigError (exit 2 in the CLI); anything else
// (a crash, another exception, a sanitizer report, a hang) is a bug. Shared by the libFuzzer
// targets and by the corpus regression test, which runs every corpus input in the test suite.
#pragma once

#include <string>

#include "relusim/io/config.hpp"
#include "relusim/models/model_info.hpp"

namespace relusim::fuzz {

/// A sweep file's text.
inline void sweep_text(const std::string& text) {
  try {
    const SweepConfig s = parse_sweep_text(text, "fuzz.toml");
    for (const CellConfig& c : s.cells)
      validate(c);
  } catch (const ConfigError&) {
  }
}

/// "KEY=VALUE" lines as flags: the first line may choose the model (model=B); every key of
/// that model is parsed from its value text, set and validated.
inline void flag_values(const std::string& text) {
  CellConfig cell;
  std::size_t start = 0;
  try {
    while (start <= text.size()) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      const std::string line = text.substr(start, end - start);
      start = end + 1;
      const std::size_t eq = line.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
      const ParamInfo& info =
          key == "model" ? common_parameter("model") : find_parameter(cell.model, key);
      set_parameter(cell, key, parse_param_text(info, value));
    }
    validate(cell);
  } catch (const ConfigError&) {
  }
}

}  // namespace relusim::fuzz
