// The parameters every model shares, the lookup of a model's parameters, and the typed reading
// of values (io/param_parsing.hpp). Each model registers its own keys (src/models/*/).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string_view>

#include "relusim/io/config.hpp"
#include "relusim/io/param_parsing.hpp"
#include "relusim/models/model_info.hpp"

namespace relusim {

namespace params {

std::string format_double(double v) {
  // The shortest text that reads back as the same double (summary files, journals and messages
  // keep every bit of a value; 10 digits did not).
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string format_vector(const std::vector<double>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i)
    s += (i ? "," : "") + format_double(v[i]);
  return s + "]";
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i)
    s += (i ? ", " : "") + v[i];
  return s;
}

namespace {
const char* type_name(const ParamValue& v) {
  switch (v.index()) {
    case 0:
      return "an integer";
    case 1:
      return "a number";
    case 2:
      return "a boolean";
    case 3:
      return "a string";
    default:
      return "a list of numbers";
  }
}
}  // namespace

void wrong_type(const std::string& key, const char* expected, const ParamValue& v) {
  throw ConfigError(key, std::string("expected ") + expected + ", got " + type_name(v));
}

std::int64_t as_integer(const std::string& key, const ParamValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) {  // 1e6 written as a float is fine if whole
    const bool whole = std::isfinite(*d) && std::floor(*d) == *d;
    if (whole && std::fabs(*d) < 9e15) return static_cast<std::int64_t>(*d);
    char got[40];
    std::snprintf(got, sizeof got, "%.17g", *d);
    throw ConfigError(
        key, std::string(whole ? "expected an integer below 9e15" : "expected an integer") +
                 ", got " + got);
  }
  wrong_type(key, "an integer", v);
}

int as_int32(const std::string& key, const ParamValue& v) {
  const std::int64_t i = as_integer(key, v);
  if (i < std::numeric_limits<int>::min() || i > std::numeric_limits<int>::max())
    throw ConfigError(key, "value out of range");
  return static_cast<int>(i);
}

double as_real(const std::string& key, const ParamValue& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  wrong_type(key, "a number", v);
}

bool as_bool(const std::string& key, const ParamValue& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  wrong_type(key, "true or false", v);
}

}  // namespace params

namespace {

using namespace params;

const ChoiceTable<DataMode> kModes{
    {{"fixed", DataMode::fixed}, {"online", DataMode::online}, {"expected", DataMode::expected}}};
const ChoiceTable<Criterion> kCriteria{
    {{"distance", Criterion::distance}, {"angle", Criterion::angle}, {"loss", Criterion::loss}}};
const ChoiceTable<InitKind> kInits{{{"ball", InitKind::ball},
                                    {"ball-tight", InitKind::ball_tight},
                                    {"gaussian", InitKind::gaussian},
                                    {"zero", InitKind::zero},
                                    {"symmetric", InitKind::symmetric},
                                    {"noise", InitKind::noise},
                                    {"xavier", InitKind::xavier}}};
const ChoiceTable<InputDistribution> kInputs{
    {{"gaussian", InputDistribution::gaussian}, {"uniform", InputDistribution::uniform}}};
const ChoiceTable<Precision> kPrecisions{{{"float", Precision::f32}, {"double", Precision::f64}}};
const ChoiceTable<StopTarget> kStopTargets{
    {{"halfwidth", StopTarget::halfwidth}, {"verdict", StopTarget::verdict}}};

#define RELUSIM_GET(expr) [](const CellConfig& c) -> std::string { return expr; }

std::vector<ParamInfo> make_common() {
  using T = ParamType;
  std::vector<ParamInfo> r;
  // The help lists each model's summary where the CLI builds it (cli/options.cpp): the models'
  // registrations are still being built when this list is.
  r.push_back({"model",
               T::choice,
               "model, by name",
               {},
               [](CellConfig& c, const ParamValue& v) {
                 const auto* s = std::get_if<std::string>(&v);
                 if (s == nullptr) wrong_type("model", "a string", v);
                 const ModelInfo& info = model_info(*s);  // throws for an unknown model
                 c.model = info.name;
                 c.own.reset();  // the model's own keys start from its defaults
                 if (info.apply_defaults != nullptr) info.apply_defaults(c);
               },
               RELUSIM_GET(c.model)});
  r.push_back({"N",
               T::integer,
               "number of samples N (rows of the fixed design X)",
               {},
               [](CellConfig& c, const ParamValue& v) { c.n_samples = as_int32("N", v); },
               RELUSIM_GET(std::to_string(c.n_samples))});
  r.push_back({"d",
               T::integer,
               "input dimension d",
               {},
               [](CellConfig& c, const ParamValue& v) { c.d = as_int32("d", v); },
               RELUSIM_GET(std::to_string(c.d))});
  r.push_back({"mode", T::choice,
               "data mode: fixed (X drawn once, full-batch GD), online (a fresh minibatch of --B "
               "samples each step), expected (population gradient in closed form)",
               kModes.names(),
               [](CellConfig& c, const ParamValue& v) { c.mode = kModes.parse("mode", v); },
               RELUSIM_GET(kModes.name_of(c.mode))});
  r.push_back({"B",
               T::integer,
               "minibatch size: samples per step in online mode (the key B, not model B); must "
               "not exceed N",
               {},
               [](CellConfig& c, const ParamValue& v) { c.batch = as_int32("B", v); },
               RELUSIM_GET(std::to_string(c.batch))});
  r.push_back({"inputs", T::choice, "input distribution: gaussian N(0, I) or uniform [-1/2, 1/2]^d",
               kInputs.names(),
               [](CellConfig& c, const ParamValue& v) { c.inputs = kInputs.parse("inputs", v); },
               RELUSIM_GET(kInputs.name_of(c.inputs))});
  r.push_back({"eta",
               T::real,
               "learning rate eta > 0 (update w <- w + eta * Delta(w))",
               {},
               [](CellConfig& c, const ParamValue& v) { c.eta = as_real("eta", v); },
               RELUSIM_GET(format_double(c.eta))});
  r.push_back({"steps",
               T::integer,
               "step budget: at most this many updates per trajectory",
               {},
               [](CellConfig& c, const ParamValue& v) { c.steps = as_integer("steps", v); },
               RELUSIM_GET(std::to_string(c.steps))});
  r.push_back(
      {"precision", T::choice, "arithmetic of the dynamics: float or double", kPrecisions.names(),
       [](CellConfig& c, const ParamValue& v) { c.precision = kPrecisions.parse("precision", v); },
       RELUSIM_GET(kPrecisions.name_of(c.precision))});
  r.push_back(
      {"teacher_norm",
       T::real,
       "norm of the random teacher (model B: of each random row)",
       {},
       [](CellConfig& c, const ParamValue& v) { c.teacher_norm = as_real("teacher_norm", v); },
       RELUSIM_GET(format_double(c.teacher_norm))});
  r.push_back({"eps",
               T::real,
               "epsilon in (0, 1) of the ball radius and of the bounds",
               {},
               [](CellConfig& c, const ParamValue& v) { c.eps = as_real("eps", v); },
               RELUSIM_GET(format_double(c.eps))});
  r.push_back({"init_scale",
               T::real,
               "c in sigma = c / sqrt(d) of the gaussian init",
               {},
               [](CellConfig& c, const ParamValue& v) { c.init_scale = as_real("init_scale", v); },
               RELUSIM_GET(format_double(c.init_scale))});
  r.push_back(
      {"criterion", T::choice,
       "convergence criterion: distance (|w - target|/|target| < tol), angle (theta(w, "
       "w*) < tol), loss (data loss / |w*|^2 < tol)",
       kCriteria.names(),
       [](CellConfig& c, const ParamValue& v) { c.criterion = kCriteria.parse("criterion", v); },
       RELUSIM_GET(kCriteria.name_of(c.criterion))});
  r.push_back({"tol",
               T::real,
               "tolerance of the convergence criterion",
               {},
               [](CellConfig& c, const ParamValue& v) { c.tol = as_real("tol", v); },
               RELUSIM_GET(format_double(c.tol))});
  r.push_back({"stuck_tol",
               T::real,
               "a trajectory with |Delta(w)| < stuck_tol*|w*| away from the target is stuck",
               {},
               [](CellConfig& c, const ParamValue& v) { c.stuck_tol = as_real("stuck_tol", v); },
               RELUSIM_GET(format_double(c.stuck_tol))});
  r.push_back({"blowup",
               T::real,
               "a trajectory with |w| > blowup*|w*| (or not finite) diverged",
               {},
               [](CellConfig& c, const ParamValue& v) { c.blowup = as_real("blowup", v); },
               RELUSIM_GET(format_double(c.blowup))});
  r.push_back({"early_stop",
               T::boolean,
               "stop a trajectory as soon as it is classified (else run the whole budget)",
               {},
               [](CellConfig& c, const ParamValue& v) { c.early_stop = as_bool("early_stop", v); },
               RELUSIM_GET(c.early_stop ? "true" : "false")});
  r.push_back({"seed",
               T::integer,
               "seed of every random stream (64-bit, >= 0)",
               {},
               [](CellConfig& c, const ParamValue& v) {
                 const std::int64_t s = as_integer("seed", v);
                 if (s < 0) throw ConfigError("seed", "must be >= 0");
                 c.seed = static_cast<std::uint64_t>(s);
               },
               RELUSIM_GET(std::to_string(c.seed))});
  r.push_back({"trials",
               T::integer_or_auto,
               "trajectories per cell, or \"auto\": steps of trials_step trajectories until "
               "`until` is met (at most max_trials)",
               {},
               [](CellConfig& c, const ParamValue& v) {
                 if (const auto* s = std::get_if<std::string>(&v)) {
                   if (*s != "auto")
                     throw ConfigError("trials",
                                       "expected an integer or \"auto\", got '" + *s + "'");
                   c.trials_auto = true;
                   c.trials = c.max_trials;
                   return;
                 }
                 c.trials_auto = false;
                 c.trials = as_integer("trials", v);
               },
               RELUSIM_GET(c.trials_auto ? std::string("auto") : std::to_string(c.trials))});
  r.push_back({"max_trials",
               T::integer,
               "with trials = \"auto\": the most trajectories a cell runs",
               {},
               [](CellConfig& c, const ParamValue& v) {
                 c.max_trials = as_integer("max_trials", v);
                 if (c.trials_auto) c.trials = c.max_trials;
               },
               RELUSIM_GET(std::to_string(c.max_trials))});
  r.push_back(
      {"trials_step",
       T::integer,
       "with trials = \"auto\": the stopping rule is tested after every trials_step "
       "trajectories, in plan order",
       {},
       [](CellConfig& c, const ParamValue& v) { c.trials_step = as_integer("trials_step", v); },
       RELUSIM_GET(std::to_string(c.trials_step))});
  r.push_back({"until", T::choice,
               "with trials = \"auto\": halfwidth (the 95% Wilson interval of the rate no wider "
               "than 2 ci_halfwidth) or verdict (the interval clear of the theorem's bound)",
               kStopTargets.names(),
               [](CellConfig& c, const ParamValue& v) { c.until = kStopTargets.parse("until", v); },
               RELUSIM_GET(kStopTargets.name_of(c.until))});
  r.push_back(
      {"ci_halfwidth",
       T::real,
       "with trials = \"auto\" and until = halfwidth: the half-width the interval must reach",
       {},
       [](CellConfig& c, const ParamValue& v) { c.ci_halfwidth = as_real("ci_halfwidth", v); },
       RELUSIM_GET(format_double(c.ci_halfwidth))});
  return r;
}

#undef RELUSIM_GET

}  // namespace

namespace params {
std::vector<ParamInfo> ordered_parameters(const std::vector<ParamInfo>& own,
                                          std::initializer_list<const char*> keys) {
  std::vector<ParamInfo> out;
  for (const char* key : keys) {
    auto it =
        std::find_if(own.begin(), own.end(), [&](const ParamInfo& p) { return p.key == key; });
    out.push_back(it != own.end() ? *it : common_parameter(key));
    if (std::string_view(key) == "trials")
      for (const char* k : {"max_trials", "trials_step", "until", "ci_halfwidth"})
        out.push_back(common_parameter(k));
  }
  return out;
}

const ChoiceTable<DataMode>& mode_choices() {
  return kModes;
}
}  // namespace params

const ParamInfo& common_parameter(const std::string& key) {
  static const std::vector<ParamInfo> common = make_common();
  for (const ParamInfo& p : common)
    if (p.key == key) return p;
  throw ConfigError(key, "not a common parameter");
}

const std::vector<ParamInfo>& cell_parameters(const std::string& model) {
  return model_info(model).parameters;
}

std::vector<std::string> all_parameter_keys() {
  std::vector<std::string> keys;
  for (const std::string& m : model_names())
    for (const ParamInfo& p : cell_parameters(m))
      if (std::find(keys.begin(), keys.end(), p.key) == keys.end()) keys.push_back(p.key);
  return keys;
}

std::vector<std::pair<std::string, const ParamInfo*>> parameter_registrations(
    const std::string& key) {
  std::vector<std::pair<std::string, const ParamInfo*>> out;
  for (const std::string& m : model_names())
    for (const ParamInfo& p : cell_parameters(m))
      if (p.key == key) out.emplace_back(m, &p);
  return out;
}

const ParamInfo& find_parameter(const std::string& model, const std::string& key) {
  for (const ParamInfo& p : cell_parameters(model))
    if (p.key == key) return p;
  std::vector<std::string> owners;
  for (const auto& [m, info] : parameter_registrations(key))
    owners.push_back(m);
  if (!owners.empty())
    throw ConfigError(
        key, "does not apply to model " + model + " (it is a key of model " + join(owners) + ")");
  std::vector<std::string> keys;
  for (const auto& p : cell_parameters(model))
    keys.push_back(p.key);
  throw ConfigError(key, "unknown key; known keys of model " + model + ": " + join(keys));
}

ParamValue parse_param_text(const ParamInfo& info, const std::string& text) {
  auto fail = [&](const char* what) -> ConfigError {
    return ConfigError(info.key, std::string("cannot read '") + text + "' as " + what);
  };
  switch (info.type) {
    case ParamType::integer_or_auto:
      if (text == "auto") return text;
      [[fallthrough]];
    case ParamType::integer: {
      const char* what =
          info.type == ParamType::integer_or_auto ? "an integer or \"auto\"" : "an integer";
      std::size_t used = 0;
      try {
        const double d = std::stod(text, &used);
        if (used != text.size()) throw fail(what);
        if (text.find_first_of(".eE") == std::string::npos) return std::stoll(text);
        return d;  // as_integer accepts whole numbers such as 1e6
      } catch (const std::logic_error&) {
        throw fail(what);
      }
    }
    case ParamType::real: {
      std::size_t used = 0;
      try {
        const double d = std::stod(text, &used);
        if (used != text.size()) throw fail("a number");
        return d;
      } catch (const std::logic_error&) {
        throw fail("a number");
      }
    }
    case ParamType::boolean:
      if (text == "true" || text == "1" || text == "yes") return true;
      if (text == "false" || text == "0" || text == "no") return false;
      throw fail("true or false");
    case ParamType::choice:
      return text;
    case ParamType::vector_or_choice: {
      if (std::find(info.choices.begin(), info.choices.end(), text) != info.choices.end())
        return text;
      // "1,1" or "[1, 1]"
      std::string t = text;
      t.erase(std::remove_if(t.begin(), t.end(), [](char ch) { return ch == '[' || ch == ']'; }),
              t.end());
      std::vector<double> v;
      std::stringstream ss(t);
      std::string item;
      while (std::getline(ss, item, ',')) {
        std::size_t used = 0;
        try {
          v.push_back(std::stod(item, &used));
        } catch (const std::logic_error&) {
          throw fail(("a vector or one of " + join(info.choices)).c_str());
        }
        while (used < item.size() && item[used] == ' ')
          ++used;
        if (used != item.size()) throw fail(("a vector or one of " + join(info.choices)).c_str());
      }
      if (v.empty()) throw fail(("a vector or one of " + join(info.choices)).c_str());
      return v;
    }
  }
  throw fail("a value");
}

void set_parameter(CellConfig& cell, const std::string& key, const ParamValue& value) {
  find_parameter(cell.model, key).set(cell, value);
}

std::string to_string(DataMode m) {
  return kModes.name_of(m);
}
std::string to_string(Criterion c) {
  return kCriteria.name_of(c);
}
std::string to_string(InitKind k) {
  return k == InitKind::explicit_vector ? "explicit" : kInits.name_of(k);
}
std::string to_string(InputDistribution i) {
  return kInputs.name_of(i);
}
std::string to_string(Precision p) {
  return kPrecisions.name_of(p);
}
std::string report_number(double v) {
  return std::isnan(v) ? std::string("nan") : params::format_double(v);
}

}  // namespace relusim
