// Model A's registration (models/model_info.hpp): its keys, validation, resolution, theory and
// report columns.
#include <cmath>
#include <limits>

#include "relusim/engine/stats.hpp"
#include "relusim/io/param_parsing.hpp"
#include "relusim/models/a/host.hpp"
#include "relusim/models/a/theory.hpp"

namespace relusim {
namespace {

using namespace params;

const ChoiceTable<InitKind> kInits{{{"ball", InitKind::ball},
                                    {"ball-tight", InitKind::ball_tight},
                                    {"gaussian", InitKind::gaussian},
                                    {"zero", InitKind::zero}}};
const ChoiceTable<Regularizer> kRegularizers{{{"none", Regularizer::none},
                                              {"l2", Regularizer::l2},
                                              {"l1sq", Regularizer::l1sq},
                                              {"l1", Regularizer::l1}}};
const ChoiceTable<Convention> kConventions{
    {{"descent", Convention::descent}, {"as-printed", Convention::as_printed}}};
const ChoiceTable<TeacherKind> kTeachers{
    {{"ones", TeacherKind::ones}, {"random", TeacherKind::random}}};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

#define RELUSIM_GET(expr) [](const CellConfig& c) -> std::string { return expr; }

std::vector<ParamInfo> own_parameters() {
  using T = ParamType;
  std::vector<ParamInfo> r;
  r.push_back({"regularizer", T::choice,
               "regulariser R(w): none, l2 = |w|_2^2, l1sq = |w|_1^2 (Kong), l1 = |w|_1",
               kRegularizers.names(),
               [](CellConfig& c, const ParamValue& v) {
                 c.of<ModelACell>().regularizer = kRegularizers.parse("regularizer", v);
               },
               RELUSIM_GET(kRegularizers.name_of(c.of<ModelACell>().regularizer))});
  r.push_back(
      {"lambda",
       T::real,
       "regularisation strength lambda >= 0 (loss adds lambda/2 R(w)); ignored without a "
       "regulariser",
       {},
       [](CellConfig& c, const ParamValue& v) { c.of<ModelACell>().lambda = as_real("lambda", v); },
       // Without a regulariser lambda has no effect; reports show the effective 0.
       RELUSIM_GET(format_double(c.of<ModelACell>().regularizer == Regularizer::none
                                     ? 0.0
                                     : c.of<ModelACell>().lambda))});
  r.push_back({"convention", T::choice,
               "sign of the regulariser in the update: descent (gradient descent on the loss) or "
               "as-printed (Kong (5) as printed; needed to reproduce Kong's experiment)",
               kConventions.names(),
               [](CellConfig& c, const ParamValue& v) {
                 c.of<ModelACell>().convention = kConventions.parse("convention", v);
               },
               RELUSIM_GET(kConventions.name_of(c.of<ModelACell>().convention))});
  r.push_back({"teacher", T::vector_or_choice,
               "teacher w*: ones (all-ones), random (random direction of norm teacher_norm, one "
               "per trajectory) or an explicit vector such as [1, 1]",
               kTeachers.names(), set_teacher<&kTeachers>, get_teacher<&kTeachers>,
               teacher_numbers});
  r.push_back({"init", T::vector_or_choice,
               "initial w: ball (uniform in the ball of radius eps*sqrt(2 pi/(d+1))*|w*|, Tian "
               "Thm 3.3), ball-tight (the proof's tight radius), gaussian (N(0, sigma^2 I), sigma "
               "= init_scale/sqrt(d)), zero, or an explicit vector",
               kInits.names(), set_init<&kInits>, get_init<&kInits>, init_numbers});
  return r;
}

#undef RELUSIM_GET

/// The output order of Model A's keys (summary.csv's columns have kept it since the start).
std::vector<ParamInfo> parameters() {
  return ordered_parameters(own_parameters(),
                            {"model",  "N",           "d",         "mode",         "B",
                             "inputs", "regularizer", "lambda",    "convention",   "eta",
                             "steps",  "precision",   "teacher",   "teacher_norm", "init",
                             "eps",    "init_scale",  "criterion", "tol",          "stuck_tol",
                             "blowup", "early_stop",  "seed",      "trials"});
}

void validate_a(const CellConfig& c) {
  auto require = [](bool ok, const char* key, const std::string& what) {
    if (!ok) throw ConfigError(key, what);
  };
  require(std::isfinite(c.of<ModelACell>().lambda) && c.of<ModelACell>().lambda >= 0.0, "lambda",
          "must be finite and >= 0");
  require(c.teacher != TeacherKind::orthonormal && c.teacher != TeacherKind::random_orthonormal,
          "teacher", "orthonormal teachers belong to model B");
  require(c.init != InitKind::symmetric && c.init != InitKind::noise, "init",
          "symmetric and noise initialisations belong to model B");
  if (c.teacher == TeacherKind::explicit_vector) {
    require(static_cast<int>(c.teacher_vector.size()) == c.d, "teacher",
            "has " + std::to_string(c.teacher_vector.size()) +
                " entries but d = " + std::to_string(c.d));
    double s = 0.0;
    for (double x : c.teacher_vector) {
      require(std::isfinite(x), "teacher", "entries must be finite");
      s += x * x;
    }
    require(s > 0.0, "teacher", "must not be the zero vector");
  }
  if (c.init == InitKind::explicit_vector) {
    require(
        static_cast<int>(c.init_vector.size()) == c.d, "init",
        "has " + std::to_string(c.init_vector.size()) + " entries but d = " + std::to_string(c.d));
    for (double x : c.init_vector)
      require(std::isfinite(x), "init", "entries must be finite");
  }
  require_representable_scale(c, "teacher", teacher_norm_of(c));
  if (c.init == InitKind::explicit_vector) {
    double s = 0.0;
    for (double x : c.init_vector)
      s += (x / 1e150) * (x / 1e150);  // scaled: the sum of squares itself must not overflow
    require_representable_scale(c, "init", 1e150 * std::sqrt(s));
  }
  require(!(c.mode == DataMode::expected && c.inputs == InputDistribution::uniform), "inputs",
          "the expected mode's closed form holds for gaussian inputs only");
  require(!(c.mode == DataMode::online && c.inputs == InputDistribution::uniform &&
            c.of<ModelACell>().regularizer != Regularizer::none && c.of<ModelACell>().lambda > 0.0),
          "inputs",
          "online mode with a regulariser targets the population optimum, which relusim knows "
          "for gaussian inputs only");
}

void canonical_a(CellConfig& c) {
  const CellConfig defaults;
  if (c.of<ModelACell>().regularizer == Regularizer::none) {
    c.of<ModelACell>().lambda = 0.0;
    c.of<ModelACell>().convention = defaults.of<ModelACell>().convention;
  }
  if (c.mode != DataMode::online) c.batch = defaults.batch;
  if (c.teacher == TeacherKind::ones) {
    c.teacher = TeacherKind::explicit_vector;
    c.teacher_vector.assign(static_cast<std::size_t>(c.d), 1.0);
  }
  if (c.teacher != TeacherKind::random) c.teacher_norm = defaults.teacher_norm;
  if (c.init != InitKind::gaussian) c.init_scale = defaults.init_scale;
  if (c.mode == DataMode::online) c.stuck_tol = defaults.stuck_tol;  // no rest test online
}

TheoryBound bound_a(const CellConfig& c) {
  if (c.init != InitKind::ball && c.init != InitKind::ball_tight) return {"none", kNaN};
  const bool regularized =
      c.of<ModelACell>().regularizer != Regularizer::none && c.of<ModelACell>().lambda > 0.0;
  if (regularized && c.mode == DataMode::fixed)
    return {"kong-5", kong_bound(c.eps, c.n_samples, c.d)};
  return {"tian-3.3", tian_bound(c.eps)};
}

/// MODEL.md §5. Tian Thm 3.3 is for lambda = 0. Kong Thm 5 is for lambda below its small-lambda
/// bound (17)/(33), which depends on the design: the cell is inside when the bound holds for at
/// least half of its positive-definite designs (the typical design), outside otherwise.
std::string outside_reason_a(const CellTally& t, const CellConfig& c) {
  const bool regularized =
      c.of<ModelACell>().regularizer != Regularizer::none && c.of<ModelACell>().lambda > 0.0;
  const TheoryBound b = bound_a(c);
  if (b.name == "tian-3.3" && regularized) return "lambda > 0, Tian Thm 3.3 is for lambda = 0";
  if (b.name != "kong-5") return "";
  const std::int64_t pd = t.flag_counts[ModelA::kPositiveDefinite];
  if (pd == 0) return "no design has X^T D* X positive definite (Kong Lemma 2)";
  const std::int64_t within = t.flag_counts[ModelA::kWithinBound];
  if (2 * within >= pd) return "";
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "lambda exceeds Kong's small-lambda bound (17)/(33) for %.0f%% of the "
                "positive-definite designs",
                100.0 * static_cast<double>(pd - within) / static_cast<double>(pd));
  return buf;
}

/// outside_reason_a's vote settled: Kong's cells vote on the share of positive-definite designs
/// within the lambda bound against one half; it is settled once the 95% Wilson interval of that
/// share is clear of 1/2 (and undecided while no design was positive definite).
bool outside_settled_a(const CellTally& t, const CellConfig& c) {
  if (bound_a(c).name != "kong-5") return true;
  const std::int64_t pd = t.flag_counts[ModelA::kPositiveDefinite];
  if (pd == 0) return false;
  const Interval share = wilson_interval(t.flag_counts[ModelA::kWithinBound], pd);
  return share.lo > 0.5 || share.hi < 0.5;
}

double fraction(std::int64_t k, std::int64_t n) {
  return static_cast<double>(k) / static_cast<double>(n);
}

std::vector<SummaryColumn> columns() {
  using A = ModelA;
  std::vector<SummaryColumn> c;
  c.push_back({"frac_in_omega", "in-Omega", 3, [](const CellTally& t, const CellConfig&) {
                 return fraction(t.flag_counts[A::kStartedInOmega], t.trials);
               }});
  c.push_back({"mean_steps_to_converge", "steps", 0,
               [](const CellTally& t, const CellConfig&) { return mean_steps_to_converge(t); }});
  c.push_back({"frac_positive_definite", "PD", 3, [](const CellTally& t, const CellConfig&) {
                 const std::int64_t checked = t.flag_counts[A::kDesignChecked];
                 return checked > 0 ? fraction(t.flag_counts[A::kPositiveDefinite], checked) : kNaN;
               }});
  c.push_back(
      {"frac_lambda_within_bound", "lam-ok", 3, [](const CellTally& t, const CellConfig& cell) {
         const bool regularized = cell.of<ModelACell>().regularizer != Regularizer::none &&
                                  cell.of<ModelACell>().lambda > 0;
         const std::int64_t checked = t.flag_counts[A::kDesignChecked];
         return checked > 0 && regularized ? fraction(t.flag_counts[A::kWithinBound], checked)
                                           : kNaN;
       }});
  c.push_back({"frac_target_valid", "", 3, [](const CellTally& t, const CellConfig&) {
                 return fraction(t.flag_counts[A::kTargetValid], t.trials);
               }});
  c.push_back({"mean_final_distance", "", 3,
               [](const CellTally& t, const CellConfig&) { return slot_mean(t, A::kDistance); }});
  c.push_back(slot_count_column<A::kDistance>("mean_final_distance"));
  return c;
}

std::string trajectory_row(const TrajectoryRecord& r) {
  using A = ModelA;
  const bool checked = r.flag(A::kDesignChecked);
  std::string s = report_number(r.slot[A::kDistance]) + ',' + report_number(r.slot[A::kAngle]) +
                  ',' + report_number(r.slot[A::kLoss]) + ',' +
                  report_number(r.slot[A::kGradNorm]) + ',' +
                  std::to_string(int(r.flag(A::kStartedInOmega))) + ',';
  s += (checked ? std::to_string(int(r.flag(A::kPositiveDefinite))) : "") + ',';
  s += std::to_string(int(r.flag(A::kTargetValid))) + ',';
  s += (checked ? std::to_string(int(r.flag(A::kWithinBound))) : "") + ',';
  s += checked ? report_number(r.slot[A::kLambdaBound]) : "";
  return s;
}

nlohmann::json resolved_a(const CellConfig& cell) {
  const ModelAParams p = resolve_model_a(cell);
  return {{"init_radius", p.init_radius},
          {"init_sigma", p.init_sigma},
          {"teacher_norm", teacher_norm_of(cell)},
          {"effective_lambda", p.lambda},
          {"a_d", a_k(cell.n_samples, cell.d)},
          {"p_positive_definite", 1.0 - a_k(cell.n_samples, cell.d - 1)}};
}

/// Below this stuck_tol a float run's "at rest" test is rounding noise (docs/model.md: near rest
/// Delta is a sum of O(1) terms that cancel, so float computes it to about 1e-7 |w*|).
constexpr double kFloatStuckTol = 1e-6;

std::string table_note_a(const std::vector<CellConfig>& cells) {
  std::string note;
  for (const auto& cell : cells)
    if (cell.of<ModelACell>().convention == Convention::as_printed &&
        cell.of<ModelACell>().regularizer != Regularizer::none &&
        cell.of<ModelACell>().lambda > 0.0) {
      note +=
          "note: convention as-printed adds +(lambda/2) dR/dw to the update (Kong (5) as "
          "printed), which is not gradient descent on the regularised loss.\n";
      break;
    }
  for (const auto& cell : cells)
    if (cell.precision == Precision::f32 && cell.mode != DataMode::online && cell.stuck_tol > 0.0 &&
        cell.stuck_tol < kFloatStuckTol) {
      note += "note: in float, |Delta| is rounding noise below about 1e-7 |w*|, so stuck_tol " +
              format_double(cell.stuck_tol) +
              " leaves almost no trajectory \"stuck\" (they end undecided); use stuck_tol >= " +
              format_double(kFloatStuckTol) + " or double.\n";
      break;
    }
  return note;
}

ModelInfo make_info() {
  ModelInfo m;
  m.name = ModelA::kName;
  m.summary = "one ReLU teacher and one ReLU student (Tian §3, Kong)";
  m.parameters = parameters();
  m.outcomes = {"converged", "diverged", "dead", "stuck", "undecided"};
  m.short_outcomes = {"conv", "div", "dead", "stuck", "undec"};
  m.default_table_keys = {"N", "d", "mode", "regularizer", "lambda"};
  m.apply_defaults = [](CellConfig& c) { c.own.emplace<ModelACell>(); };
  m.validate = validate_a;
  m.theory = model_a_theory;
  m.field = model_a_field;
  m.field_grid = {-1.0, 2.0, -1.0, 2.0};  // (w_1, w_2) around the teacher
  m.canonical = canonical_a;
  m.bound = bound_a;
  m.outside_reason = outside_reason_a;
  m.outside_settled = outside_settled_a;
  m.columns = columns();
  m.trajectory_header =
      "final_distance,final_angle,final_loss,grad_norm,started_in_omega,positive_definite,"
      "target_valid,lambda_within_bound,lambda_bound";
  m.trajectory_row = trajectory_row;
  m.resolved = resolved_a;
  m.table_note = table_note_a;
  m.trace_columns = {
      {"loss", ModelA::kLoss}, {"distance", ModelA::kDistance}, {"angle", ModelA::kAngle}};
  return m;
}

}  // namespace

const ModelInfo& ModelHost<ModelA>::info() {
  static const ModelInfo info = make_info();
  return info;
}

double teacher_norm_of(const CellConfig& c) {
  switch (c.teacher) {
    case TeacherKind::ones:
      return std::sqrt(static_cast<double>(c.d));
    case TeacherKind::random:
      return c.teacher_norm;
    case TeacherKind::explicit_vector: {
      double s = 0.0;
      for (double x : c.teacher_vector)
        s += x * x;
      return std::sqrt(s);
    }
    default:
      break;
  }
  return 0.0;
}

ModelAParams resolve_model_a(const CellConfig& c) {
  validate(c);
  ModelAParams p;
  resolve_common(c, p);
  p.regularizer = c.of<ModelACell>().regularizer;
  p.convention = c.of<ModelACell>().convention;
  p.lambda = c.of<ModelACell>().regularizer == Regularizer::none ? 0.0 : c.of<ModelACell>().lambda;
  p.init = c.init;
  const double ns = teacher_norm_of(c);
  p.init_radius = c.init == InitKind::ball_tight ? tight_ball_radius(c.d, c.eps) * ns
                                                 : ball_radius(c.d, c.eps) * ns;
  p.init_sigma = c.init_scale / std::sqrt(static_cast<double>(c.d));
  p.teacher = c.teacher;
  p.teacher_norm = c.teacher_norm;
  p.teacher_vector = c.teacher_vector.empty() ? nullptr : c.teacher_vector.data();
  p.init_vector = c.init_vector.empty() ? nullptr : c.init_vector.data();
  return p;
}

std::string to_string(Regularizer r) {
  return kRegularizers.name_of(r);
}
std::string to_string(Convention c) {
  return kConventions.name_of(c);
}

}  // namespace relusim
