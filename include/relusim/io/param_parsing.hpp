// Helpers for the parameter registrations (io/config_registry.cpp and each model's
// registration): typed reading of a ParamValue with errors that name the key, choice tables,
// and the text form of numbers and vectors. Host only.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "relusim/io/config.hpp"

namespace relusim::params {

/// The shortest text that reads back as the same double (std::to_chars).
std::string format_double(double v);
std::string format_vector(const std::vector<double>& v);
std::string join(const std::vector<std::string>& v);

[[noreturn]] void wrong_type(const std::string& key, const char* expected, const ParamValue& v);
std::int64_t as_integer(const std::string& key, const ParamValue& v);
int as_int32(const std::string& key, const ParamValue& v);
double as_real(const std::string& key, const ParamValue& v);
bool as_bool(const std::string& key, const ParamValue& v);

/// The names a user writes for the values of an enum.
template <class E>
struct ChoiceTable {
  std::vector<std::pair<std::string, E>> items;
  std::vector<std::string> names() const {
    std::vector<std::string> n;
    for (const auto& [name, value] : items)
      n.push_back(name);
    return n;
  }
  std::string name_of(E e) const {
    for (const auto& [name, value] : items)
      if (value == e) return name;
    return "?";
  }
  E parse(const std::string& key, const ParamValue& v) const {
    const auto* s = std::get_if<std::string>(&v);
    if (s == nullptr) wrong_type(key, ("one of " + join(names())).c_str(), v);
    for (const auto& [name, value] : items)
      if (name == *s) return value;
    throw ConfigError(key, "unknown value '" + *s + "'; expected one of " + join(names()));
  }
};

/// `teacher` and `init` take a vector (a matrix for model B) or one of a model's names.
template <const ChoiceTable<TeacherKind>* kTable>
void set_teacher(CellConfig& c, const ParamValue& v) {
  if (const auto* vec = std::get_if<std::vector<double>>(&v)) {
    c.teacher = TeacherKind::explicit_vector;
    c.teacher_vector = *vec;
  } else {
    c.teacher = kTable->parse("teacher", v);
    c.teacher_vector.clear();
  }
}
template <const ChoiceTable<TeacherKind>* kTable>
std::string get_teacher(const CellConfig& c) {
  return c.teacher == TeacherKind::explicit_vector ? format_vector(c.teacher_vector)
                                                   : kTable->name_of(c.teacher);
}
template <const ChoiceTable<InitKind>* kTable>
void set_init(CellConfig& c, const ParamValue& v) {
  if (const auto* vec = std::get_if<std::vector<double>>(&v)) {
    c.init = InitKind::explicit_vector;
    c.init_vector = *vec;
  } else {
    c.init = kTable->parse("init", v);
    c.init_vector.clear();
  }
}
template <const ChoiceTable<InitKind>* kTable>
std::string get_init(const CellConfig& c) {
  return c.init == InitKind::explicit_vector ? format_vector(c.init_vector)
                                             : kTable->name_of(c.init);
}

/// The explicit teacher or initial weights, for ParamInfo::numbers.
inline const std::vector<double>* teacher_numbers(const CellConfig& c) {
  return c.teacher == TeacherKind::explicit_vector ? &c.teacher_vector : nullptr;
}
inline const std::vector<double>* init_numbers(const CellConfig& c) {
  return c.init == InitKind::explicit_vector ? &c.init_vector : nullptr;
}

/// A model's parameters in output order: its own where it has one of that key, else the common.
/// `trials` brings the keys of `trials = "auto"` after it (max_trials, trials_step, until,
/// ci_halfwidth): every model runs cells that stop when they know.
std::vector<ParamInfo> ordered_parameters(const std::vector<ParamInfo>& own,
                                          std::initializer_list<const char*> keys);

const ChoiceTable<DataMode>& mode_choices();

}  // namespace relusim::params

namespace relusim {

/// A number as the files write it: the shortest text that reads back as the same double, "nan"
/// for NaN (params::format_double, with NaN spelled one way).
std::string report_number(double v);

}  // namespace relusim
