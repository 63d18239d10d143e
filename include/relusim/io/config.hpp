// Configuration of one cell (one point of a parameter grid) and of a sweep over cells.
// Each model registers its keys (models/model_info.hpp); one registry serves the CLI flags, the
// TOML reader and the outputs, so a key has one name, one type, one default and one help text
// everywhere. Host configuration only: nothing here compiles device dynamics.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <variant>
#include <vector>

#include "relusim/io/choices.hpp"

namespace relusim {

enum class Precision : int { f32 = 0, f64 = 1 };

/// What a cell with `trials = "auto"` runs until (engine/stats.hpp stop_rule_met): the 95%
/// Wilson interval of its convergence rate no wider than 2 ci_halfwidth, or clear of the bound.
enum class StopTarget : int { halfwidth = 0, verdict = 1 };

/// Bad input: names the key and says what is wrong. The CLI maps it to exit code 2.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string key, const std::string& what)
      : std::runtime_error(key.empty() ? what : "'" + key + "': " + what), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

/// The keys of a cell that only its model reads: a struct the model's folder defines
/// (models/<m>/cell.hpp), held by value and copied with the cell. A cell that holds none reads
/// the struct's defaults; the first write creates it. Choosing a model (the key `model`) resets
/// it to the model's defaults (its apply_defaults emplaces them). A struct may define
/// `std::vector<std::int64_t> launch_key(const CellConfig&) const`, what else cells must share to
/// run in one launch (engine/plan.hpp LaunchShape); nothing otherwise.
struct CellConfig;

class ModelFields {
 public:
  ModelFields() = default;
  ModelFields(const ModelFields& o) : p_(o.p_ ? o.p_->clone() : nullptr) {}
  ModelFields& operator=(const ModelFields& o) {
    if (this != &o) p_ = o.p_ ? o.p_->clone() : nullptr;
    return *this;
  }
  ModelFields(ModelFields&&) noexcept = default;
  ModelFields& operator=(ModelFields&&) noexcept = default;
  ~ModelFields() = default;

  template <class F>
  F& get() {
    if (!p_) p_ = std::make_unique<Holder<F>>();
    return holder<F>().value;
  }
  /// Holds F's defaults from now on (a model's apply_defaults: its launch key is then there).
  template <class F>
  F& emplace() {
    p_ = std::make_unique<Holder<F>>();
    return holder<F>().value;
  }
  template <class F>
  const F& get() const {
    static const F defaults{};
    return p_ ? holder<F>().value : defaults;
  }
  std::vector<std::int64_t> launch_key(const CellConfig& cell) const {
    return p_ ? p_->launch_key(cell) : std::vector<std::int64_t>{};
  }
  void reset() { p_.reset(); }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual std::unique_ptr<Base> clone() const = 0;
    virtual std::vector<std::int64_t> launch_key(const CellConfig& cell) const = 0;
  };
  template <class F>
  struct Holder final : Base {
    F value{};
    std::unique_ptr<Base> clone() const override { return std::make_unique<Holder>(*this); }
    std::vector<std::int64_t> launch_key(const CellConfig& cell) const override {
      if constexpr (requires { value.launch_key(cell); })
        return value.launch_key(cell);
      else
        return {};
    }
  };
  template <class F>
  Holder<F>& holder() const {
    auto* h = dynamic_cast<Holder<F>*>(p_.get());
    if (h == nullptr)
      throw std::logic_error(std::string("a cell's own keys were read as ") + typeid(F).name() +
                             ", but the cell holds another model's");
    return *h;
  }
  std::unique_ptr<Base> p_;
};

inline constexpr std::int64_t kDefaultMaxTrials = 100000;
inline constexpr std::int64_t kDefaultTrialsStep = 100;
inline constexpr double kDefaultCiHalfwidth = 0.01;
/// The most steps of trials_step a cell with trials = "auto" is cut into.
inline constexpr std::int64_t kMaxTrialSteps = 65536;

/// One cell as the user states it (before a model resolves it into its Params): the keys every
/// model shares, and the model's own in `own`. A model reads only the keys it registered.
struct CellConfig {
  std::string model = "A";
  int n_samples = 10;  // N
  int d = 2;
  int batch = 1;  // the minibatch key B
  DataMode mode = DataMode::fixed;
  InputDistribution inputs = InputDistribution::gaussian;
  double eta = 0.05;
  std::int64_t steps = 20000;
  Precision precision = Precision::f64;
  TeacherKind teacher = TeacherKind::ones;
  std::vector<double> teacher_vector;  // the model's explicit teacher (A: d entries; B: K x d)
  double teacher_norm = 1.0;
  InitKind init = InitKind::ball;
  std::vector<double> init_vector;  // the model's explicit initial weights, as the teacher's
  double eps = 0.1;
  double init_scale = 1.0;  // c in sigma = c / sqrt(d)
  Criterion criterion = Criterion::distance;
  double tol = 1e-3;
  double stuck_tol = 1e-9;
  double blowup = 1e6;
  bool early_stop = true;
  std::uint64_t seed = 1;
  std::int64_t trials = 1000;  ///< with trials_auto: max_trials (what the plan cuts)
  /// `trials = "auto"`: the cell runs steps of trials_step trajectories in plan order until
  /// `until` is met on the steps run (or max_trials ran); see engine/stats.hpp stop_rule_met.
  bool trials_auto = false;
  std::int64_t max_trials = kDefaultMaxTrials;
  std::int64_t trials_step = kDefaultTrialsStep;
  StopTarget until = StopTarget::halfwidth;
  double ci_halfwidth = kDefaultCiHalfwidth;
  std::string teacher_file, init_file;  // where a teacher or init read from a file came from
  ModelFields own;                      // the model's own keys

  /// The model's own keys (F: the struct its folder defines, e.g. ModelBCell).
  template <class F>
  F& of() {
    return own.get<F>();
  }
  template <class F>
  const F& of() const {
    return own.get<F>();
  }
};

/// A value as read from a flag or a TOML file.
using ParamValue = std::variant<std::int64_t, double, bool, std::string, std::vector<double>>;

/// integer_or_auto: a count, or the word "auto" (the key `trials`).
enum class ParamType { integer, real, boolean, choice, vector_or_choice, integer_or_auto };

/// One user-visible parameter.
struct ParamInfo {
  std::string key;
  ParamType type;
  std::string help;
  std::vector<std::string> choices;  // for choice types
  void (*set)(CellConfig&, const ParamValue&);
  std::string (*get)(const CellConfig&);  // the value as text (tables, CSV, JSON)
  /// The value when it is a list of numbers (an explicit teacher, ...), else null: JSON writes
  /// it as an array, and a sweep bounds the copies it makes of it.
  const std::vector<double>* (*numbers)(const CellConfig&) = nullptr;
};

/// The parameters of a model's cells, in the order outputs list them.
const std::vector<ParamInfo>& cell_parameters(const std::string& model);
/// One parameter of a model; throws ConfigError naming the key if unknown or not the model's.
const ParamInfo& find_parameter(const std::string& model, const std::string& key);
/// Every key of every model, once (the first registration of a shared key), for the CLI.
std::vector<std::string> all_parameter_keys();
/// The registrations of `key` across models, as (model, info).
std::vector<std::pair<std::string, const ParamInfo*>> parameter_registrations(
    const std::string& key);

/// Parameters every model shares (model, N, d, mode, ...), by key; the models' registrations
/// list them in their own order.
const ParamInfo& common_parameter(const std::string& key);

/// Parses `text` as a value of parameter `info` (CLI flags); throws ConfigError naming the key.
ParamValue parse_param_text(const ParamInfo& info, const std::string& text);

/// Sets one parameter of the cell's model; throws ConfigError naming the key on an unknown key,
/// a key of another model, a wrong type or an unknown choice. Setting `model` also applies that
/// model's defaults.
void set_parameter(CellConfig& cell, const std::string& key, const ParamValue& value);

/// Checks ranges and consistency (common, then the model's); throws ConfigError naming the key.
void validate(const CellConfig& cell);

/// Refuses a weight scale (a norm of the teacher or of the initial weights) whose squares, summed
/// over the samples, would overflow the cell's arithmetic: the dynamics square such norms and
/// sum N of them (MODEL.md §5: never call a theorem violated because of overflow).
void require_representable_scale(const CellConfig& cell, const char* key, double norm);

/// The least `tol` the arithmetic of `precision` resolves for `criterion` (a relative distance:
/// 1e3 eps; an angle: sqrt(200 eps), the cosine test's resolution; a relative loss: (1e3 eps)^2);
/// validate() refuses a smaller one (docs/model.md, "Reachable criteria").
double criterion_floor(Criterion criterion, Precision precision);

/// Copies the keys every model resolves the same way from a validated cell into its Params `p`:
/// d, N, B, mode, eta, steps (as max_steps), early_stop, tol, blowup and seed, and, where the
/// Params has them, inputs, criterion and stuck_tol. Each model's resolve then adds its own.
template <class P>
void resolve_common(const CellConfig& c, P& p) {
  p.d = c.d;
  p.n_samples = c.n_samples;
  p.batch = c.batch;
  p.mode = c.mode;
  p.eta = c.eta;
  p.max_steps = c.steps;
  p.early_stop = c.early_stop;
  p.tol = c.tol;
  p.blowup = c.blowup;
  p.seed = c.seed;
  if constexpr (requires { p.inputs; }) p.inputs = c.inputs;
  if constexpr (requires { p.criterion; }) p.criterion = c.criterion;
  if constexpr (requires { p.stuck_tol; }) p.stuck_tol = c.stuck_tol;
}

// Names of enum values as the user writes them.
std::string to_string(DataMode m);
std::string to_string(Criterion c);
std::string to_string(InitKind k);
std::string to_string(InputDistribution i);
std::string to_string(Precision p);

/// A sweep: a base cell, grid axes (key -> list of values) and the cells of their product.
/// `zip` holds lists of one length varied together (entry i of each forms point i): one more
/// axis, the slowest, before the grid's.
struct SweepConfig {
  CellConfig base;
  std::vector<std::pair<std::string, std::vector<ParamValue>>> zip;   // in registry order
  std::vector<std::pair<std::string, std::vector<ParamValue>>> axes;  // in registry order
  std::vector<CellConfig> cells;                                      // product, last axis fastest
  std::string text;  ///< the file's contents (load_sweep_file)
};

/// Reads a sweep file (TOML): top-level keys set the base cell, table [grid] holds lists (every
/// combination is a cell), table [zip] lists of one length that vary together.
/// Throws ConfigError naming the key on unknown keys, wrong types and out-of-range values
/// (every cell is validated before anything runs). `model` is read first and cannot be swept.
SweepConfig load_sweep_file(const std::string& path);
SweepConfig parse_sweep_text(const std::string& text, const std::string& source_name);

/// Expands the grid into cells and validates each one.
void expand_grid(SweepConfig& sweep);

}  // namespace relusim
