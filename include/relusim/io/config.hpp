// Configuration of one cell (one point of a parameter grid) and of a sweep over cells.
// Each model registers its keys (models/model_info.hpp); one registry serves the CLI flags, the
// TOML reader and the outputs, so a key has one name, one type, one default and one help text
// everywhere. Host configuration only: nothing here compiles device dynamics.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "relusim/models/a/types.hpp"
#include "relusim/models/choices.hpp"

namespace relusim {

enum class Precision : int { f32 = 0, f64 = 1 };

/// Bad input: names the key and says what is wrong. The CLI maps it to exit code 2.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string key, const std::string& what)
      : std::runtime_error(key.empty() ? what : "'" + key + "': " + what), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

/// One cell as the user states it (before a model resolves it into its Params). Common keys,
/// then each model's own; a model reads only the keys it registered.
struct CellConfig {
  std::string model = "A";
  // Common to every model.
  int n_samples = 10;  // N
  int d = 2;
  int batch = 1;  // B
  DataMode mode = DataMode::fixed;
  InputDistribution inputs = InputDistribution::gaussian;
  double eta = 0.05;
  std::int64_t steps = 20000;
  Precision precision = Precision::f64;
  TeacherKind teacher = TeacherKind::ones;
  std::vector<double> teacher_vector;  // A: d entries; B: K x d, row-major
  double teacher_norm = 1.0;
  InitKind init = InitKind::ball;
  std::vector<double> init_vector;  // A: d entries; B: K x d, row-major
  double eps = 0.1;
  double init_scale = 1.0;  // c in sigma = c / sqrt(d)
  Criterion criterion = Criterion::distance;
  double tol = 1e-3;
  double stuck_tol = 1e-9;
  double blowup = 1e6;
  bool early_stop = true;
  std::uint64_t seed = 1;
  std::int64_t trials = 1000;
  // Model A.
  Regularizer regularizer = Regularizer::none;
  Convention convention = Convention::descent;
  double lambda = 0.0;
  // Model B.
  int K = 2;
  std::vector<double> top_weights;  // K entries; empty: all ones
  double init_x = 0.5;              // symmetric init
  double init_y = 0.5;
  double noise_level = 1.0;  // Tian Fig. 5 init: noise variance 1e-3 * level
  // Model C.
  bool identity = true;  // ResLink; false: vanilla
  bool prelu = false;    // activation prelu_a (else relu)
  double slope = 0.25;   // a of prelu_a
  MatrixKind teacher_matrix_kind = MatrixKind::gaussian;
  MatrixKind init_matrix_kind = MatrixKind::gaussian;
  double teacher_spectral = 0.3, teacher_frobenius = 0.6;
  double init_spectral = 0.1, init_frobenius = 0.0;
  std::string teacher_file, init_file;  // where a given matrix came from ("" when inline)
  std::int64_t diagnostics_every = 1;
};

/// A value as read from a flag or a TOML file.
using ParamValue = std::variant<std::int64_t, double, bool, std::string, std::vector<double>>;

enum class ParamType { integer, real, boolean, choice, vector_or_choice };

/// One user-visible parameter.
struct ParamInfo {
  std::string key;
  ParamType type;
  std::string help;
  std::vector<std::string> choices;  // for choice types
  void (*set)(CellConfig&, const ParamValue&);
  std::string (*get)(const CellConfig&);  // the value as text (tables, CSV, JSON)
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
std::string to_string(Regularizer r);
std::string to_string(Convention c);
std::string to_string(Criterion c);
std::string to_string(InitKind k);
std::string to_string(InputDistribution i);
std::string to_string(Precision p);
/// The outcome's generic name (converged, diverged, dead, stuck, undecided).
std::string to_string(Outcome o);

/// A sweep: a base cell, grid axes (key -> list of values) and the cells of their product.
struct SweepConfig {
  CellConfig base;
  std::vector<std::pair<std::string, std::vector<ParamValue>>> axes;  // in registry order
  std::vector<CellConfig> cells;                                      // product, last axis fastest
  std::string text;  ///< the file's contents (load_sweep_file)
};

/// Reads a sweep file (TOML): top-level keys set the base cell, table [grid] holds lists.
/// Throws ConfigError naming the key on unknown keys, wrong types and out-of-range values
/// (every cell is validated before anything runs). `model` is read first and cannot be swept.
SweepConfig load_sweep_file(const std::string& path);
SweepConfig parse_sweep_text(const std::string& text, const std::string& source_name);

/// Expands the grid into cells and validates each one.
void expand_grid(SweepConfig& sweep);

}  // namespace relusim
