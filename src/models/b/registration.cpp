// Model B's registration (models/model_info.hpp): its keys, validation, resolution and report
// columns (MODEL.md §2, §2.1).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/stats.hpp"
#include "relusim/engine/thread_pool.hpp"
#include "relusim/io/param_parsing.hpp"
#include "relusim/models/a/theory.hpp"
#include "relusim/models/b/curvature.hpp"
#include "relusim/models/b/host.hpp"
#include "relusim/models/b/theory.hpp"

namespace relusim {
namespace {

using namespace params;

const ChoiceTable<InitKind> kInits{{{"gaussian", InitKind::gaussian},
                                    {"ball", InitKind::ball},
                                    {"zero", InitKind::zero},
                                    {"symmetric", InitKind::symmetric},
                                    {"noise", InitKind::noise},
                                    {"xavier", InitKind::xavier}}};
const ChoiceTable<TeacherKind> kTeachers{{{"orthonormal", TeacherKind::orthonormal},
                                          {"random-orthonormal", TeacherKind::random_orthonormal},
                                          {"random", TeacherKind::random}}};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

#define RELUSIM_GET(expr) [](const CellConfig& c) -> std::string { return expr; }

std::vector<ParamInfo> own_parameters() {
  using T = ParamType;
  std::vector<ParamInfo> r;
  r.push_back({"K",
               T::integer,
               "model B: number of hidden units K (1 to 128)",
               {},
               [](CellConfig& c, const ParamValue& v) { c.of<ModelBCell>().K = as_int32("K", v); },
               RELUSIM_GET(std::to_string(c.of<ModelBCell>().K))});
  r.push_back({"K_teacher",
               T::integer,
               "model B: the teacher's units (1 to 128); 0: K. With K_teacher != K the "
               "criterion must be loss",
               {},
               [](CellConfig& c, const ParamValue& v) {
                 c.of<ModelBCell>().K_teacher = as_int32("K_teacher", v);
               },
               RELUSIM_GET(std::to_string(c.of<ModelBCell>().teacher_width()))});
  r.push_back({"top_weights",
               T::vector_or_choice,
               "model B: the student's fixed top weights a_j (the teacher's too unless "
               "teacher_top_weights is given): ones, or a list of K numbers",
               {"ones"},
               [](CellConfig& c, const ParamValue& v) {
                 if (const auto* vec = std::get_if<std::vector<double>>(&v)) {
                   c.of<ModelBCell>().top_weights = *vec;
                 } else {
                   const auto* s = std::get_if<std::string>(&v);
                   if (s == nullptr || *s != "ones")
                     throw ConfigError("top_weights", "expected ones or a list of K numbers");
                   c.of<ModelBCell>().top_weights.clear();
                 }
               },
               RELUSIM_GET(c.of<ModelBCell>().top_weights.empty()
                               ? "ones"
                               : format_vector(c.of<ModelBCell>().top_weights)),
               [](const CellConfig& c) -> const std::vector<double>* {
                 const std::vector<double>& t = c.of<ModelBCell>().top_weights;
                 return t.empty() ? nullptr : &t;
               }});
  r.push_back({"teacher_top_weights",
               T::vector_or_choice,
               "model B: the teacher's fixed top weights: same (the student's when K_teacher = "
               "K, else ones), ones, or a list of K_teacher numbers",
               {"same", "ones"},
               [](CellConfig& c, const ParamValue& v) {
                 ModelBCell& b = c.of<ModelBCell>();
                 if (const auto* vec = std::get_if<std::vector<double>>(&v)) {
                   b.teacher_top_weights = *vec;
                 } else {
                   const auto* s = std::get_if<std::string>(&v);
                   if (s == nullptr || (*s != "same" && *s != "ones"))
                     throw ConfigError("teacher_top_weights",
                                       "expected same, ones or a list of K_teacher numbers");
                   b.teacher_top_weights.clear();
                   if (*s == "ones")
                     b.teacher_top_weights.assign(static_cast<std::size_t>(b.teacher_width()), 1.0);
                 }
               },
               RELUSIM_GET(c.of<ModelBCell>().teacher_top_weights.empty()
                               ? "same"
                               : format_vector(c.of<ModelBCell>().teacher_top_weights)),
               [](const CellConfig& c) -> const std::vector<double>* {
                 const std::vector<double>& t = c.of<ModelBCell>().teacher_top_weights;
                 return t.empty() ? nullptr : &t;
               }});
  r.push_back({"teacher", T::vector_or_choice,
               "model B: teacher W*: orthonormal (first K_teacher basis vectors, d >= "
               "K_teacher), random-orthonormal, random (Gaussian rows of norm teacher_norm) or a "
               "K_teacher x d matrix as a row-major list",
               kTeachers.names(), set_teacher<&kTeachers>, get_teacher<&kTeachers>,
               teacher_numbers});
  r.push_back({"init", T::vector_or_choice,
               "model B: initial W: gaussian (N(0, sigma^2), sigma = init_scale/sqrt(d)), xavier "
               "(the same with sigma = init_scale sqrt(2/(d+K)), Glorot), ball "
               "(each row uniform in a ball of radius eps*sqrt(2 pi/(d+1)) times the teacher's "
               "rms row norm), zero, symmetric (w_j = x w*_j + y sum_{j' != j} w*_j', Tian Thm "
               "4.1), noise (1e-3 W* + N(0, 1e-3 * noise_level), Tian Fig. 5) or a K x d matrix",
               kInits.names(), set_init<&kInits>, get_init<&kInits>, init_numbers});
  r.push_back(
      {"init_x",
       T::real,
       "model B: x of the symmetric init",
       {},
       [](CellConfig& c, const ParamValue& v) { c.of<ModelBCell>().init_x = as_real("init_x", v); },
       RELUSIM_GET(format_double(c.of<ModelBCell>().init_x))});
  r.push_back(
      {"init_y",
       T::real,
       "model B: y of the symmetric init",
       {},
       [](CellConfig& c, const ParamValue& v) { c.of<ModelBCell>().init_y = as_real("init_y", v); },
       RELUSIM_GET(format_double(c.of<ModelBCell>().init_y))});
  r.push_back({"noise_level",
               T::real,
               "model B: level of the noise init: variance 1e-3 * level (Tian Fig. 5)",
               {},
               [](CellConfig& c, const ParamValue& v) {
                 c.of<ModelBCell>().noise_level = as_real("noise_level", v);
               },
               RELUSIM_GET(format_double(c.of<ModelBCell>().noise_level))});
  r.push_back({"curvature_tol",
               T::real,
               "model B, expected mode: a stuck point is a local-min if the smallest eigenvalue "
               "of the loss's Hessian exceeds curvature_tol times the largest |eigenvalue| (and "
               "twice its finite-difference error), a strict-saddle if it lies below minus that, "
               "else flat",
               {},
               [](CellConfig& c, const ParamValue& v) {
                 c.of<ModelBCell>().curvature_tol = as_real("curvature_tol", v);
               },
               RELUSIM_GET(format_double(c.of<ModelBCell>().curvature_tol))});
  r.push_back({"unit_angle",
               T::real,
               "model B: a live student unit within this angle (radians) of a teacher unit's "
               "direction is on it: matched when alone there, split when with others "
               "(units_matched, units_split)",
               {},
               [](CellConfig& c, const ParamValue& v) {
                 c.of<ModelBCell>().unit_angle = as_real("unit_angle", v);
               },
               RELUSIM_GET(format_double(c.of<ModelBCell>().unit_angle))});
  return r;
}

#undef RELUSIM_GET

std::vector<ParamInfo> parameters() {
  return ordered_parameters(own_parameters(), {"model",
                                               "K",
                                               "K_teacher",
                                               "N",
                                               "d",
                                               "mode",
                                               "B",
                                               "inputs",
                                               "top_weights",
                                               "teacher_top_weights",
                                               "eta",
                                               "steps",
                                               "precision",
                                               "teacher",
                                               "teacher_norm",
                                               "init",
                                               "init_x",
                                               "init_y",
                                               "noise_level",
                                               "eps",
                                               "init_scale",
                                               "criterion",
                                               "tol",
                                               "stuck_tol",
                                               "blowup",
                                               "early_stop",
                                               "curvature_tol",
                                               "unit_angle",
                                               "seed",
                                               "trials"});
}

void defaults_b(CellConfig& c) {
  c.own.emplace<ModelBCell>();
  c.teacher = TeacherKind::orthonormal;
  c.teacher_vector.clear();
  c.init = InitKind::gaussian;
  c.init_vector.clear();
}

void canonical_b(CellConfig& c) {
  const CellConfig defaults;
  if (c.mode != DataMode::online) c.batch = defaults.batch;
  if (c.teacher != TeacherKind::random) c.teacher_norm = defaults.teacher_norm;
  if (c.init != InitKind::gaussian && c.init != InitKind::xavier)
    c.init_scale = defaults.init_scale;
  if (c.init != InitKind::symmetric) {
    c.of<ModelBCell>().init_x = defaults.of<ModelBCell>().init_x;
    c.of<ModelBCell>().init_y = defaults.of<ModelBCell>().init_y;
  }
  if (c.init != InitKind::noise)
    c.of<ModelBCell>().noise_level = defaults.of<ModelBCell>().noise_level;
  if (c.init != InitKind::ball) c.eps = defaults.eps;
  ModelBCell& b = c.of<ModelBCell>();
  const auto all_ones = [](const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [](double a) { return a == 1.0; });
  };
  // The teacher's top weights as they resolve, then written the one way: "same" for the
  // student's (equal widths), and for ones otherwise.
  const int kt = b.teacher_width();
  std::vector<double> student = b.top_weights;
  if (student.empty()) student.assign(static_cast<std::size_t>(b.K), 1.0);
  std::vector<double> teacher_top = b.teacher_top_weights;
  if (teacher_top.empty())
    teacher_top = kt == b.K ? student : std::vector<double>(static_cast<std::size_t>(kt), 1.0);
  if (all_ones(b.top_weights)) b.top_weights.clear();
  const bool same = kt == b.K ? teacher_top == student : all_ones(teacher_top);
  b.teacher_top_weights = same ? std::vector<double>{} : teacher_top;
  b.K_teacher = kt;
  if (c.mode == DataMode::online) c.stuck_tol = defaults.stuck_tol;  // no rest test online
  if (c.mode != DataMode::expected)  // curvature is classified in expected mode only
    c.of<ModelBCell>().curvature_tol = defaults.of<ModelBCell>().curvature_tol;
}

void validate_b(const CellConfig& c) {
  auto require = [](bool ok, const char* key, const std::string& what) {
    if (!ok) throw ConfigError(key, what);
  };
  const ModelBCell& b = c.of<ModelBCell>();
  require(b.K >= 1 && b.K <= 128, "K", "must lie in [1, 128]");
  require(b.K_teacher >= 0 && b.K_teacher <= 128, "K_teacher", "must lie in [1, 128] (0: K)");
  const int kt = b.teacher_width();
  const bool equal_widths = kt == b.K;
  const std::size_t kd = static_cast<std::size_t>(b.K) * static_cast<std::size_t>(c.d);
  const std::size_t ktd = static_cast<std::size_t>(kt) * static_cast<std::size_t>(c.d);
  // Unequal widths: no unit-by-unit match exists, so convergence is the loss's.
  require(equal_widths || c.criterion == Criterion::loss, "criterion",
          "must be loss when K_teacher != K (K = " + std::to_string(b.K) +
              ", K_teacher = " + std::to_string(kt) +
              "): no student unit matches a teacher unit "
              "one to one");
  require(!(c.criterion == Criterion::loss && c.inputs == InputDistribution::uniform), "criterion",
          "loss is relative to the teacher's output power E[g(x; W*)^2], in closed form for "
          "gaussian inputs only");
  require(equal_widths || (c.init != InitKind::symmetric && c.init != InitKind::noise), "init",
          "symmetric and noise are built from the teacher's rows: they need K_teacher = K");
  require(std::isfinite(b.unit_angle) && b.unit_angle > 0.0 && b.unit_angle < 1.5707963267948966,
          "unit_angle", "must lie in (0, pi/2)");
  require(c.teacher == TeacherKind::orthonormal || c.teacher == TeacherKind::random_orthonormal ||
              c.teacher == TeacherKind::random || c.teacher == TeacherKind::explicit_vector,
          "teacher",
          "model B takes orthonormal, random-orthonormal, random or a K_teacher x d matrix");
  if (c.teacher == TeacherKind::orthonormal || c.teacher == TeacherKind::random_orthonormal)
    require(c.d >= kt, "d",
            "an orthonormal teacher needs d >= K_teacher (d = " + std::to_string(c.d) +
                ", K_teacher = " + std::to_string(kt) + ")");
  if (c.teacher == TeacherKind::explicit_vector) {
    require(c.teacher_vector.size() == ktd, "teacher",
            "has " + std::to_string(c.teacher_vector.size()) +
                " entries but K_teacher x d = " + std::to_string(ktd));
    for (int j = 0; j < kt; ++j) {
      double s = 0.0;
      for (int k = 0; k < c.d; ++k) {
        const double x = c.teacher_vector[static_cast<std::size_t>(j * c.d + k)];
        require(std::isfinite(x), "teacher", "entries must be finite");
        s += x * x;
      }
      require(s > 0.0, "teacher", "row " + std::to_string(j) + " is zero");
    }
  }
  require(c.init != InitKind::ball_tight, "init", "ball-tight belongs to model A");
  if (c.init == InitKind::explicit_vector) {
    require(c.init_vector.size() == kd, "init",
            "has " + std::to_string(c.init_vector.size()) +
                " entries but K x d = " + std::to_string(kd));
    for (double x : c.init_vector)
      require(std::isfinite(x), "init", "entries must be finite");
  }
  if (!c.of<ModelBCell>().top_weights.empty()) {
    require(static_cast<int>(c.of<ModelBCell>().top_weights.size()) == c.of<ModelBCell>().K,
            "top_weights",
            "has " + std::to_string(c.of<ModelBCell>().top_weights.size()) +
                " entries but K = " + std::to_string(c.of<ModelBCell>().K));
    for (double a : c.of<ModelBCell>().top_weights)
      require(std::isfinite(a) && a != 0.0, "top_weights", "entries must be finite and nonzero");
  }
  if (!b.teacher_top_weights.empty()) {
    require(static_cast<int>(b.teacher_top_weights.size()) == kt, "teacher_top_weights",
            "has " + std::to_string(b.teacher_top_weights.size()) +
                " entries but K_teacher = " + std::to_string(kt));
    for (double a : b.teacher_top_weights)
      require(std::isfinite(a) && a != 0.0, "teacher_top_weights",
              "entries must be finite and nonzero");
  } else {
    require(equal_widths || b.top_weights.empty() ||
                std::all_of(b.top_weights.begin(), b.top_weights.end(),
                            [](double a) { return a == 1.0; }),
            "teacher_top_weights",
            "must be given when K_teacher != K and the student's top_weights are not ones");
  }
  require(std::isfinite(c.of<ModelBCell>().init_x) && std::isfinite(c.of<ModelBCell>().init_y),
          "init_x", "must be finite");
  require(std::isfinite(c.of<ModelBCell>().noise_level) && c.of<ModelBCell>().noise_level >= 0.0,
          "noise_level", "must be finite and >= 0");
  require(std::isfinite(c.of<ModelBCell>().curvature_tol) &&
              c.of<ModelBCell>().curvature_tol > 0.0 && c.of<ModelBCell>().curvature_tol < 1.0,
          "curvature_tol", "must lie in (0, 1)");
  require(!(c.mode == DataMode::expected && c.inputs == InputDistribution::uniform), "inputs",
          "the expected mode's closed form holds for gaussian inputs only");
  // Scales: |W*|_F and |W_1|_F (sums of squares taken at 1e-150 so they cannot overflow).
  auto frobenius = [](const std::vector<double>& m) {
    double s = 0.0;
    for (double x : m)
      s += (x / 1e150) * (x / 1e150);
    return 1e150 * std::sqrt(s);
  };
  const double kk = static_cast<double>(kt);
  require_representable_scale(c, "teacher",
                              c.teacher == TeacherKind::explicit_vector
                                  ? frobenius(c.teacher_vector)
                              : c.teacher == TeacherKind::random ? c.teacher_norm * std::sqrt(kk)
                                                                 : std::sqrt(kk));
  if (c.init == InitKind::explicit_vector)
    require_representable_scale(c, "init", frobenius(c.init_vector));
}

double rms_teacher_row_norm(const CellConfig& c) {
  if (c.teacher == TeacherKind::random) return c.teacher_norm;
  if (c.teacher != TeacherKind::explicit_vector) return 1.0;
  double s = 0.0;
  for (double x : c.teacher_vector)
    s += x * x;
  return std::sqrt(s / c.of<ModelBCell>().teacher_width());
}

double fraction(std::int64_t k, std::int64_t n) {
  return static_cast<double>(k) / static_cast<double>(n);
}
std::int64_t saddles(const CellTally& t) {
  return t.counts[static_cast<int>(Outcome::stuck)];
}

/// Whether the cell's stuck points are classified (expected mode, K d within the Hessian's cap).
bool classifies_curvature(const CellConfig& c) {
  return c.mode == DataMode::expected &&
         static_cast<std::int64_t>(c.of<ModelBCell>().K) * c.d <= kCurvatureMaxWeights;
}

/// A fraction of the trials, or NaN where nothing is classified (never a 0 that means "not
/// computed").
double curvature_fraction(const CellTally& t, const CellConfig& cell, int flag) {
  return classifies_curvature(cell) ? fraction(t.flag_counts[flag], t.trials) : kNaN;
}

std::vector<SummaryColumn> columns() {
  using B = ModelB;
  std::vector<SummaryColumn> c;
  c.push_back({"frac_saddle", "saddle", 3, [](const CellTally& t, const CellConfig&) {
                 return fraction(saddles(t), t.trials);
               }});
  c.push_back({"saddle_ci_low", "saddle 95% CI", 3,
               [](const CellTally& t, const CellConfig&) {
                 return wilson_interval(saddles(t), t.trials).lo;
               },
               [](const CellTally& t, const CellConfig&) {
                 const Interval ci = wilson_interval(saddles(t), t.trials);
                 char buf[64];
                 std::snprintf(buf, sizeof buf, "[%.3f, %.3f]", ci.lo, ci.hi);
                 return std::string(buf);
               }});
  c.push_back({"saddle_ci_high", "", 3, [](const CellTally& t, const CellConfig&) {
                 return wilson_interval(saddles(t), t.trials).hi;
               }});
  // A stuck point's curvature (expected mode; NaN in the other modes, where none is computed).
  c.push_back({"frac_local_min", "local-min", 3, [](const CellTally& t, const CellConfig& cell) {
                 return curvature_fraction(t, cell, B::kLocalMin);
               }});
  c.push_back(
      {"frac_strict_saddle", "strict-saddle", 3, [](const CellTally& t, const CellConfig& cell) {
         return curvature_fraction(t, cell, B::kSaddlePoint);
       }});
  c.push_back({"frac_flat", "flat", 3, [](const CellTally& t, const CellConfig& cell) {
                 return curvature_fraction(t, cell, B::kFlat);
               }});
  c.push_back({"mean_min_eigenvalue", "", 3, [](const CellTally& t, const CellConfig&) {
                 return slot_mean(t, B::kMinEigenvalue);
               }});
  c.push_back(slot_count_column<B::kMinEigenvalue>("mean_min_eigenvalue"));
  c.push_back({"mean_steps_to_converge", "steps", 0,
               [](const CellTally& t, const CellConfig&) { return mean_steps_to_converge(t); }});
  c.push_back({"mean_final_loss", "loss", 3,
               [](const CellTally& t, const CellConfig&) { return slot_mean(t, B::kLoss); },
               [](const CellTally& t, const CellConfig&) {
                 char buf[64];
                 std::snprintf(buf, sizeof buf, "%.2e", slot_mean(t, B::kLoss));
                 return std::string(buf);
               }});
  c.push_back(slot_count_column<B::kLoss>("mean_final_loss"));
  c.push_back({"mean_matched_distance", "", 3, [](const CellTally& t, const CellConfig&) {
                 return slot_mean(t, B::kMatchedDistance);
               }});
  c.push_back(slot_count_column<B::kMatchedDistance>("mean_matched_distance"));
  c.push_back({"frac_matched", "", 3, [](const CellTally& t, const CellConfig&) {
                 return fraction(t.flag_counts[B::kMatched], t.trials);
               }});
  c.push_back({"mean_dead_units", "dead-units", 2,
               [](const CellTally& t, const CellConfig&) { return slot_mean(t, B::kDeadUnits); }});
  c.push_back(slot_count_column<B::kDeadUnits>("mean_dead_units"));
  c.push_back({"mean_units_matched", "matched", 2, [](const CellTally& t, const CellConfig&) {
                 return slot_mean(t, B::kUnitsMatched);
               }});
  c.push_back(slot_count_column<B::kUnitsMatched>("mean_units_matched"));
  c.push_back({"mean_units_split", "split", 2,
               [](const CellTally& t, const CellConfig&) { return slot_mean(t, B::kUnitsSplit); }});
  c.push_back(slot_count_column<B::kUnitsSplit>("mean_units_split"));
  c.push_back({"mean_x", "x", 4,
               [](const CellTally& t, const CellConfig&) { return slot_mean(t, B::kX); }});
  c.push_back(slot_count_column<B::kX>("mean_x"));
  c.push_back({"mean_y", "y", 4,
               [](const CellTally& t, const CellConfig&) { return slot_mean(t, B::kY); }});
  c.push_back(slot_count_column<B::kY>("mean_y"));
  return c;
}

std::string curvature_name(const TrajectoryRecord& r) {
  using B = ModelB;
  if (r.flag(B::kLocalMin)) return to_string(Curvature::local_min);
  if (r.flag(B::kSaddlePoint)) return to_string(Curvature::saddle);
  if (r.flag(B::kFlat)) return to_string(Curvature::flat);
  return "";
}

/// ModelInfo::finish: each stuck trajectory's point classified by its Hessian (curvature.hpp), in
/// parallel over the stuck trajectories (each verdict depends on its own weights only).
void finish_b(const CellConfig& cell, BatchResult& r) {
  using B = ModelB;
  const ModelBParams p = resolve_model_b(cell);
  const std::size_t n = static_cast<std::size_t>(p.K) * static_cast<std::size_t>(p.d);
  if (r.final_weights.size() != r.records.size() * n)
    throw std::logic_error("model B finish: final weights missing");
  std::vector<std::size_t> stuck;
  for (std::size_t i = 0; i < r.records.size(); ++i)
    if (r.records[i].outcome == Outcome::stuck) stuck.push_back(i);
  std::vector<CurvatureResult> verdicts(stuck.size());
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    try {
      for (std::size_t s = next++; s < stuck.size(); s = next++)
        verdicts[s] =
            classify_curvature(p, r.records[stuck[s]].id, r.final_weights.data() + stuck[s] * n,
                               cell.of<ModelBCell>().curvature_tol);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      next = stuck.size();
    }
  };
  std::vector<std::thread> pool;
  const int threads = std::min<int>(resolve_threads(0), static_cast<int>(stuck.size()));
  for (int t = 1; t < threads; ++t)
    pool.emplace_back(work);
  work();
  for (std::thread& t : pool)
    t.join();
  if (error) std::rethrow_exception(error);
  for (std::size_t s = 0; s < stuck.size(); ++s) {
    const CurvatureResult& v = verdicts[s];
    if (v.kind == Curvature::none) continue;
    TrajectoryRecord& rec = r.records[stuck[s]];
    const int flag = v.kind == Curvature::local_min ? B::kLocalMin
                     : v.kind == Curvature::saddle  ? B::kSaddlePoint
                                                    : B::kFlat;
    rec.set_flag(flag, true);
    r.tally.flag_counts[flag] += 1;
    rec.slot[B::kMinEigenvalue] = v.min_eigenvalue;
    r.tally.slot_sums[B::kMinEigenvalue].add(v.min_eigenvalue);
    r.tally.slot_counts[B::kMinEigenvalue] += 1;
  }
}

std::string trajectory_row(const TrajectoryRecord& r) {
  using B = ModelB;
  return report_number(r.slot[B::kLoss]) + ',' + report_number(r.slot[B::kMatchedDistance]) + ',' +
         report_number(r.slot[B::kDeadUnits]) + ',' + report_number(r.slot[B::kGradNorm]) + ',' +
         report_number(r.slot[B::kX]) + ',' + report_number(r.slot[B::kY]) + ',' +
         report_number(r.slot[B::kWeightNorm]) + ',' + std::to_string(int(r.flag(B::kMatched))) +
         ',' + curvature_name(r) + ',' + report_number(r.slot[B::kMinEigenvalue]) + ',' +
         report_number(r.slot[B::kUnitsMatched]) + ',' + report_number(r.slot[B::kUnitsSplit]);
}

nlohmann::json resolved_b(const CellConfig& cell) {
  const ModelBParams p = resolve_model_b(cell);
  return {{"init_sigma", p.init_sigma},
          {"noise_sigma", p.noise_sigma},
          {"init_radius", p.init_radius},
          {"x_star", tian_saddle_x(p.K)}};
}

ModelInfo make_info() {
  ModelInfo m;
  m.name = ModelB::kName;
  m.summary = "a committee of K ReLUs with fixed top weights (Tian §4)";
  m.parameters = parameters();
  m.outcomes = {"converged", "diverged", "dead", "saddle", "undecided"};
  m.short_outcomes = {"conv", "div", "dead", "saddle", "undec"};
  m.default_table_keys = {"K", "d", "mode", "init"};
  m.apply_defaults = defaults_b;
  m.validate = validate_b;
  m.theory = model_b_theory;
  m.field = [](const CellConfig& c, std::uint32_t, const FieldGrid& g) {
    return model_b_field(c, g);
  };
  m.field_grid = {0.0, 1.2, 0.0, 1.0};  // (x, y): the teacher (1, 0) and the saddle (x*, x*)
  // The reduced field does not depend on d: a cell given by flags takes d = K.
  m.complete_field_cell = [](CellConfig& c, bool d_given) {
    if (!d_given) c.d = c.of<ModelBCell>().K;
  };
  m.canonical = canonical_b;
  m.bound = [](const CellConfig&) { return TheoryBound{"none", kNaN}; };
  m.columns = columns();
  m.trajectory_header =
      "final_loss,matched_distance,dead_units,grad_norm,x,y,weight_norm,matched,curvature,"
      "min_eigenvalue,units_matched,units_split";
  m.trajectory_row = trajectory_row;
  m.resolved = resolved_b;
  m.finishes = classifies_curvature;
  m.finish = finish_b;
  m.trace_columns = {{"loss", ModelB::kLoss},
                     {"matched_distance", ModelB::kMatchedDistance},
                     {"dead_units", ModelB::kDeadUnits},
                     {"x", ModelB::kX},
                     {"y", ModelB::kY},
                     {"units_matched", ModelB::kUnitsMatched},
                     {"units_split", ModelB::kUnitsSplit}};
  return m;
}

}  // namespace

const ModelInfo& ModelHost<ModelB>::info() {
  static const ModelInfo info = make_info();
  return info;
}

ModelBParams resolve_model_b(const CellConfig& c) {
  validate(c);
  ModelBParams p;
  resolve_common(c, p);
  const ModelBCell& b = c.of<ModelBCell>();
  p.K = b.K;
  p.K_teacher = b.teacher_width();
  p.unit_cos = std::cos(b.unit_angle);
  p.teacher = c.teacher;
  p.teacher_norm = c.teacher_norm;
  // Xavier is the Gaussian init at another scale: the same streams, one code path.
  p.init = c.init == InitKind::xavier ? InitKind::gaussian : c.init;
  p.init_x = c.of<ModelBCell>().init_x;
  p.init_y = c.of<ModelBCell>().init_y;
  p.noise_sigma = std::sqrt(1e-3 * c.of<ModelBCell>().noise_level);
  p.init_sigma = c.init == InitKind::xavier
                     ? c.init_scale * std::sqrt(2.0 / static_cast<double>(c.d + b.K))
                     : c.init_scale / std::sqrt(static_cast<double>(c.d));
  p.init_radius = ball_radius(c.d, c.eps) * rms_teacher_row_norm(c);
  p.teacher_matrix = c.teacher_vector.empty() ? nullptr : c.teacher_vector.data();
  p.init_matrix = c.init_vector.empty() ? nullptr : c.init_vector.data();
  p.top_weights = b.top_weights.empty() ? nullptr : b.top_weights.data();
  p.teacher_top_weights = !b.teacher_top_weights.empty() ? b.teacher_top_weights.data()
                          : p.K_teacher == p.K           ? p.top_weights
                                                         : nullptr;
  return p;
}

}  // namespace relusim
