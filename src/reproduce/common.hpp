// Helpers the experiments of `relusim reproduce` share (src/reproduce/*.cpp only).
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "relusim/engine/stats.hpp"
#include "relusim/reproduce/lab.hpp"

namespace relusim::repro {

inline std::string fmt(double v, int digits = 3) {
  if (std::isnan(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

inline std::string sci(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

/// "0.452 [0.410, 0.494]"
inline std::string rate_text(const CellSummary& s) {
  return fmt(s.rate) + " [" + fmt(s.ci.lo) + ", " + fmt(s.ci.hi) + "]";
}

/// The result of the one cell of a sweep that `pick` accepts.
inline const CellResult& find_cell(const Lab::Sweep& s,
                                   const std::function<bool(const CellConfig&)>& pick) {
  const CellResult* found = nullptr;
  for (std::size_t i = 0; i < s.cells.size(); ++i)
    if (pick(s.cells[i])) {
      if (found != nullptr) throw std::logic_error("find_cell: more than one cell matches");
      found = &s.results[i];
    }
  if (found == nullptr) throw std::logic_error("find_cell: no cell matches");
  return *found;
}

/// A paper's "in most cases": reproduced from two thirds on, partly from one third.
inline const char* verdict_for_share(double share) {
  return share >= 2.0 / 3.0 ? kReproduced : share >= 1.0 / 3.0 ? kPartly : kNotReproduced;
}

/// The claim's value and interval from a cell summary.
inline Claim with_rate(Claim c, const CellSummary& s) {
  c.value = s.rate;
  c.lo = s.ci.lo;
  c.hi = s.ci.hi;
  return c;
}

/// The one cell of a sweep text (a Model C cell written as TOML).
inline CellConfig model_c(const std::string& toml) {
  SweepConfig s = parse_sweep_text(toml, "cell");
  return s.cells.front();
}

/// A numeric CSV text (a trace) read back: the header and the rows.
struct NumericTable {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
  std::size_t column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    throw std::logic_error("no column " + name);
  }
  std::vector<double> values(const std::string& name) const {
    const std::size_t c = column(name);
    std::vector<double> v;
    for (const auto& r : rows)
      v.push_back(r[c]);
    return v;
  }
};

inline NumericTable parse_numeric_csv(const std::string& text) {
  NumericTable t;
  std::istringstream in(text);
  std::string line, cell;
  std::getline(in, line);
  std::istringstream hs(line);
  while (std::getline(hs, cell, ','))
    t.header.push_back(cell);
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::istringstream ls(line);
    while (std::getline(ls, cell, ','))
      row.push_back(cell == "nan" || cell == "-nan" ? std::nan("") : std::stod(cell));
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace relusim::repro
