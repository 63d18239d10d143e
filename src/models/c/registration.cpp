// Model C's registration (models/model_info.hpp): its keys, validation, resolution and report
// columns (MODEL.md §3, §3.1).
// Over 500 lines: Model C has the most keys (teacher and start spectra, activation, diagnostics).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "relusim/engine/driver.hpp"
#include "relusim/engine/stats.hpp"
#include "relusim/io/param_parsing.hpp"
#include "relusim/models/c/host.hpp"

namespace relusim {
namespace {

using namespace params;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const ChoiceTable<MatrixKind> kMatrices{{{"zero", MatrixKind::zero},
                                         {"gaussian", MatrixKind::gaussian},
                                         {"spectrum", MatrixKind::spectrum},
                                         {"matrix", MatrixKind::matrix}}};

/// A d x d matrix in a text file: numbers separated by blanks, commas or new lines, row by row.
std::vector<double> read_matrix_file(const char* key, const std::string& path) {
  // A regular file of sane size (d <= 4096: 16.7 M numbers), never a device or a directory.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw ConfigError(key, "'" + path + "' is not a readable regular file");
  if (std::filesystem::file_size(path, ec) > (std::uintmax_t{1} << 30) || ec)
    throw ConfigError(key, "'" + path + "' is larger than 1 GiB");
  std::ifstream in(path);
  if (!in) throw ConfigError(key, "cannot open '" + path + "'");
  std::vector<double> v;
  std::string token;
  std::string line;
  int line_no = 0;
  std::size_t rows = 0, columns = 0;  // of the lines that hold numbers
  int first_row_line = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::size_t before = v.size();
    for (char& ch : line)
      if (ch == ',' || ch == ';' || ch == '\t') ch = ' ';
    std::istringstream ls(line);
    while (ls >> token) {
      std::size_t used = 0;
      double x = 0.0;
      try {
        x = std::stod(token, &used);
      } catch (const std::logic_error&) {
        used = 0;
      }
      if (used != token.size() || !std::isfinite(x))
        throw ConfigError(key, "'" + path + "' line " + std::to_string(line_no) + ": '" + token +
                                   "' is not a finite number");
      v.push_back(x);
    }
    const std::size_t here = v.size() - before;
    if (here == 0) continue;
    if (rows == 0) {
      columns = here;
      first_row_line = line_no;
    } else if (here != columns) {
      throw ConfigError(key, "'" + path + "' line " + std::to_string(line_no) + " holds " +
                                 std::to_string(here) + " numbers, line " +
                                 std::to_string(first_row_line) + " " + std::to_string(columns) +
                                 ": the rows of a matrix must be equally long");
    }
    ++rows;
  }
  if (v.empty()) throw ConfigError(key, "'" + path + "' holds no numbers");
  // Row by row, a d x d matrix has as many rows as columns (or stands on one line).
  if (rows > 1 && rows != columns)
    throw ConfigError(key, "'" + path + "' holds " + std::to_string(rows) + " rows of " +
                               std::to_string(columns) +
                               " numbers: a d x d matrix has d rows of d (or all on one line)");
  return v;
}

void set_matrix(const char* key, MatrixKind& kind, std::vector<double>& vec, std::string& file,
                const ParamValue& v) {
  if (const auto* m = std::get_if<std::vector<double>>(&v)) {
    kind = MatrixKind::matrix;
    vec = *m;
  } else {
    kind = kMatrices.parse(key, v);
    if (kind == MatrixKind::matrix)
      throw ConfigError(key,
                        "give the matrix itself (a list of d x d numbers, row by row) or "
                        "its file with " +
                            std::string(key) + "_file");
    vec.clear();
  }
  file.clear();
}

std::string get_matrix(MatrixKind kind, const std::vector<double>& vec, const std::string& file) {
  if (kind != MatrixKind::matrix) return kMatrices.name_of(kind);
  return file.empty() ? format_vector(vec) : "matrix";
}

constexpr char kTeacher[] = "teacher";
constexpr char kInit[] = "init";
constexpr char kTeacherFile[] = "teacher_file";
constexpr char kInitFile[] = "init_file";

/// `teacher` / `init`: a kind by name, or the matrix itself.
template <MatrixKind ModelCCell::*Kind, std::vector<double> CellConfig::*Vec,
          std::string CellConfig::*File, const char* kKey>
ParamInfo matrix_parameter(const char* help) {
  return {
      kKey,
      ParamType::vector_or_choice,
      help,
      {"gaussian", "spectrum", "zero"},
      [](CellConfig& c, const ParamValue& v) {
        set_matrix(kKey, c.of<ModelCCell>().*Kind, c.*Vec, c.*File, v);
      },
      [](const CellConfig& c) { return get_matrix(c.of<ModelCCell>().*Kind, c.*Vec, c.*File); }};
}

/// `teacher_file` / `init_file`: reads the matrix when the key is set.
template <MatrixKind ModelCCell::*Kind, std::vector<double> CellConfig::*Vec,
          std::string CellConfig::*File, const char* kKey>
ParamInfo matrix_file_parameter(const char* help) {
  return {kKey,
          ParamType::choice,
          help,
          {},
          [](CellConfig& c, const ParamValue& v) {
            const auto* s = std::get_if<std::string>(&v);
            if (s == nullptr) wrong_type(kKey, "a path", v);
            c.*Vec = read_matrix_file(kKey, *s);
            c.of<ModelCCell>().*Kind = MatrixKind::matrix;
            c.*File = *s;
          },
          [](const CellConfig& c) -> std::string { return (c.*File).empty() ? "none" : c.*File; }};
}

#define RELUSIM_GET(expr) [](const CellConfig& c) -> std::string { return expr; }
#define RELUSIM_REAL(field, key, help)                                                          \
  ParamInfo {                                                                                   \
    key, ParamType::real, help, {},                                                             \
        [](CellConfig& c, const ParamValue& v) { c.of<ModelCCell>().field = as_real(key, v); }, \
        RELUSIM_GET(format_double(c.of<ModelCCell>().field))                                    \
  }

std::vector<ParamInfo> own_parameters() {
  using T = ParamType;
  std::vector<ParamInfo> r;
  r.push_back({"identity",
               T::boolean,
               "model C: true = ResLink, f(x, W) = sum_i sigma(<e_i + w_i, x>); false = vanilla, "
               "sum_i sigma(<w_i, x>) from the same small start, learning the ResLink teacher",
               {},
               [](CellConfig& c, const ParamValue& v) {
                 c.of<ModelCCell>().identity = as_bool("identity", v);
               },
               RELUSIM_GET(c.of<ModelCCell>().identity ? "true" : "false")});
  r.push_back({"activation",
               T::choice,
               "model C: relu, or prelu (max(z, a z) with the fixed slope a)",
               {"relu", "prelu"},
               [](CellConfig& c, const ParamValue& v) {
                 const auto* s = std::get_if<std::string>(&v);
                 if (s == nullptr || (*s != "relu" && *s != "prelu"))
                   throw ConfigError("activation", "expected relu or prelu");
                 c.of<ModelCCell>().prelu = *s == "prelu";
               },
               RELUSIM_GET(c.of<ModelCCell>().prelu ? "prelu" : "relu")});
  r.push_back(RELUSIM_REAL(slope, "slope",
                           "model C: slope a of prelu in [0, 1) (not learned; ignored for relu)"));
  r.push_back(matrix_parameter<&ModelCCell::teacher_matrix_kind, &CellConfig::teacher_vector,
                               &CellConfig::teacher_file, kTeacher>(
      "model C: teacher W* (the teacher always has the identity): gaussian (i.i.d. entries "
      "scaled to spectral norm teacher_spectral), spectrum (U diag(s) V^T, Haar U, V; one "
      "singular value at teacher_spectral, the rest equal, meeting teacher_frobenius), zero, or "
      "d x d numbers row by row (column c is unit c)"));
  r.push_back(RELUSIM_REAL(teacher_spectral, "teacher_spectral",
                           "model C: spectral norm |W*|_2 of a spectrum or gaussian teacher"));
  r.push_back(RELUSIM_REAL(teacher_frobenius, "teacher_frobenius",
                           "model C: Frobenius norm |W*|_F of a spectrum teacher, in "
                           "[teacher_spectral, sqrt(d) teacher_spectral]"));
  r.push_back(matrix_file_parameter<&ModelCCell::teacher_matrix_kind, &CellConfig::teacher_vector,
                                    &CellConfig::teacher_file, kTeacherFile>(
      "model C: a file holding W* as d x d numbers, row by row (blanks or commas)"));
  r.push_back(matrix_parameter<&ModelCCell::init_matrix_kind, &CellConfig::init_vector,
                               &CellConfig::init_file, kInit>(
      "model C: initial W: gaussian (i.i.d. entries scaled to spectral norm init_spectral), "
      "spectrum (as for the teacher, with init_spectral and init_frobenius), zero, or d x d "
      "numbers row by row"));
  r.push_back(RELUSIM_REAL(init_spectral, "init_spectral",
                           "model C: spectral norm |W_0|_2 of a gaussian or spectrum init"));
  r.push_back(RELUSIM_REAL(init_frobenius, "init_frobenius",
                           "model C: Frobenius norm |W_0|_F of a spectrum init"));
  r.push_back(matrix_file_parameter<&ModelCCell::init_matrix_kind, &CellConfig::init_vector,
                                    &CellConfig::init_file, kInitFile>(
      "model C: a file holding W_0 as d x d numbers, row by row (blanks or commas)"));
  r.push_back({"diagnostics_every",
               T::integer,
               "model C: steps between checks of the one-point-convexity inner product <-grad "
               "L, W* - W> (the end of phase I is known to this resolution; 0: at the end only; "
               "every step in expected mode). Each check costs four d x d x d GEMMs",
               {},
               [](CellConfig& c, const ParamValue& v) {
                 c.of<ModelCCell>().diagnostics_every = as_integer("diagnostics_every", v);
               },
               RELUSIM_GET(std::to_string(c.of<ModelCCell>().diagnostics_every))});
  return r;
}

#undef RELUSIM_REAL
#undef RELUSIM_GET

std::vector<ParamInfo> parameters() {
  return ordered_parameters(own_parameters(), {"model",
                                               "d",
                                               "mode",
                                               "B",
                                               "N",
                                               "identity",
                                               "activation",
                                               "slope",
                                               "eta",
                                               "steps",
                                               "precision",
                                               "teacher",
                                               "teacher_spectral",
                                               "teacher_frobenius",
                                               "teacher_file",
                                               "init",
                                               "init_spectral",
                                               "init_frobenius",
                                               "init_file",
                                               "tol",
                                               "blowup",
                                               "diagnostics_every",
                                               "early_stop",
                                               "seed",
                                               "trials"});
}

void defaults_c(CellConfig& c) {
  c.own.emplace<ModelCCell>();
  c.d = 10;
  c.batch = 100;
  c.n_samples = 1000;
  c.mode = DataMode::online;
  c.eta = 0.05;
  c.steps = 2000;
  c.tol = 0.02;
  c.trials = 100;
  c.teacher_vector.clear();
  c.init_vector.clear();
}

void canonical_c(CellConfig& c) {
  const CellConfig defaults;
  if (!c.of<ModelCCell>().prelu) c.of<ModelCCell>().slope = defaults.of<ModelCCell>().slope;
  if (c.mode != DataMode::online) c.batch = defaults.batch;
  if (c.of<ModelCCell>().teacher_matrix_kind != MatrixKind::spectrum)
    c.of<ModelCCell>().teacher_frobenius = defaults.of<ModelCCell>().teacher_frobenius;
  if (c.of<ModelCCell>().teacher_matrix_kind == MatrixKind::zero ||
      c.of<ModelCCell>().teacher_matrix_kind == MatrixKind::matrix)
    c.of<ModelCCell>().teacher_spectral = defaults.of<ModelCCell>().teacher_spectral;
  if (c.of<ModelCCell>().init_matrix_kind != MatrixKind::spectrum)
    c.of<ModelCCell>().init_frobenius = defaults.of<ModelCCell>().init_frobenius;
  if (c.of<ModelCCell>().init_matrix_kind == MatrixKind::zero ||
      c.of<ModelCCell>().init_matrix_kind == MatrixKind::matrix)
    c.of<ModelCCell>().init_spectral = defaults.of<ModelCCell>().init_spectral;
  c.teacher_file.clear();  // a matrix is its numbers, wherever they were read from
  c.init_file.clear();
}

double frobenius(const std::vector<double>& m) {
  double s = 0.0;
  for (double x : m)
    s += (x / 1e150) * (x / 1e150);
  return 1e150 * std::sqrt(s);
}

void validate_c(const CellConfig& c) {
  auto require = [](bool ok, const char* key, const std::string& what) {
    if (!ok) throw ConfigError(key, what);
  };
  require(c.d <= 4096, "d", "model C keeps several d x d matrices per trajectory: d <= 4096");
  require(c.inputs == InputDistribution::gaussian, "inputs",
          "model C's closed forms hold for gaussian inputs only");
  require(c.criterion == Criterion::distance, "criterion",
          "model C converges on |W - W*|_F (criterion distance)");
  require(std::isfinite(c.of<ModelCCell>().slope) && c.of<ModelCCell>().slope >= 0.0 &&
              c.of<ModelCCell>().slope < 1.0,
          "slope", "must lie in [0, 1)");
  require(c.of<ModelCCell>().diagnostics_every >= 0, "diagnostics_every", "must be >= 0");
  const std::size_t dd = static_cast<std::size_t>(c.d) * static_cast<std::size_t>(c.d);
  auto check_matrix = [&](const char* key, MatrixKind kind, const std::vector<double>& v,
                          double spectral, double frob, const char* spectral_key) {
    if (kind == MatrixKind::matrix) {
      require(v.size() == dd, key,
              "has " + std::to_string(v.size()) + " entries but d x d = " + std::to_string(dd));
      for (double x : v)
        require(std::isfinite(x), key, "entries must be finite");
      require_representable_scale(c, key, frobenius(v));
    } else if (kind != MatrixKind::zero) {
      require(std::isfinite(spectral) && spectral >= 0.0, spectral_key, "must be finite and >= 0");
      if (kind == MatrixKind::spectrum) prescribed_spectrum(c.d, spectral, frob, key);
      require_representable_scale(c, key, spectral * std::sqrt(static_cast<double>(c.d)));
    }
  };
  check_matrix("teacher", c.of<ModelCCell>().teacher_matrix_kind, c.teacher_vector,
               c.of<ModelCCell>().teacher_spectral, c.of<ModelCCell>().teacher_frobenius,
               "teacher_spectral");
  check_matrix("init", c.of<ModelCCell>().init_matrix_kind, c.init_vector,
               c.of<ModelCCell>().init_spectral, c.of<ModelCCell>().init_frobenius,
               "init_spectral");
}

std::string sci(double v) {
  if (std::isnan(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2e", v);
  return buf;
}

double mean_phase(const CellTally& t) {
  return slot_mean(t, kCPhaseEnd);
}

std::vector<SummaryColumn> columns() {
  std::vector<SummaryColumn> c;
  c.push_back({"mean_steps_to_converge", "steps", 0,
               [](const CellTally& t, const CellConfig&) { return mean_steps_to_converge(t); }});
  c.push_back({"frac_phase_ended", "", 3, [](const CellTally& t, const CellConfig&) {
                 return static_cast<double>(t.flag_counts[kCPhaseEnded]) /
                        static_cast<double>(t.trials);
               }});
  c.push_back({"mean_phase_one_steps", "phase-I", 1,
               [](const CellTally& t, const CellConfig&) { return mean_phase(t); }});
  c.push_back(slot_count_column<kCPhaseEnd>("mean_phase_one_steps"));
  c.push_back({"mean_final_loss", "loss", 3,
               [](const CellTally& t, const CellConfig&) { return slot_mean(t, kCLoss); },
               [](const CellTally& t, const CellConfig&) { return sci(slot_mean(t, kCLoss)); }});
  c.push_back(slot_count_column<kCLoss>("mean_final_loss"));
  c.push_back({"mean_potential_g", "g", 3,
               [](const CellTally& t, const CellConfig&) { return slot_mean(t, kCPotential); }});
  c.push_back(slot_count_column<kCPotential>("mean_potential_g"));
  c.push_back({"mean_inner", "", 3,
               [](const CellTally& t, const CellConfig&) { return slot_mean(t, kCInner); }});
  c.push_back(slot_count_column<kCInner>("mean_inner"));
  c.push_back({"mean_ratio", "", 3,
               [](const CellTally& t, const CellConfig&) { return slot_mean(t, kCRatio); }});
  c.push_back(slot_count_column<kCRatio>("mean_ratio"));
  c.push_back({"mean_dist_fro", "|W-W*|_F", 3,
               [](const CellTally& t, const CellConfig&) { return slot_mean(t, kCDistF); },
               [](const CellTally& t, const CellConfig&) { return sci(slot_mean(t, kCDistF)); }});
  c.push_back(slot_count_column<kCDistF>("mean_dist_fro"));
  c.push_back({"mean_dist_spec", "|W-W*|_2", 3,
               [](const CellTally& t, const CellConfig&) { return slot_mean(t, kCDist2); },
               [](const CellTally& t, const CellConfig&) { return sci(slot_mean(t, kCDist2)); }});
  c.push_back(slot_count_column<kCDist2>("mean_dist_spec"));
  c.push_back({"frac_started_dead", "", 3, [](const CellTally& t, const CellConfig&) {
                 return static_cast<double>(t.flag_counts[kCStartedDead]) /
                        static_cast<double>(t.trials);
               }});
  return c;
}

std::string trajectory_row(const TrajectoryRecord& r) {
  std::string s;
  for (int k : {kCLoss, kCPotential, kCInner, kCRatio, kCDistF, kCDist2})
    s += report_number(r.slot[k]) + ',';
  s += r.flag(kCPhaseEnded) ? std::to_string(static_cast<std::int64_t>(r.slot[kCPhaseEnd])) : "-1";
  return s;
}

nlohmann::json resolved_c(const CellConfig& cell) {
  const ModelCParams p = resolve_model_c(cell);
  nlohmann::json j = {{"slope", p.slope}};
  auto spectrum = [&](const char* name, MatrixKind kind, double spectral, double frob) {
    if (kind != MatrixKind::spectrum) return;
    const std::vector<double> s = prescribed_spectrum(p.d, spectral, frob, name);
    j[std::string(name) + "_singular_values"] = {{"largest", s.front()},
                                                 {"others", s.size() > 1 ? s[1] : s.front()}};
  };
  spectrum("teacher", p.teacher, p.teacher_spectral, p.teacher_frobenius);
  spectrum("init", p.init, p.init_spectral, p.init_frobenius);
  return j;
}

/// ResLink and vanilla side by side: cells equal but for `identity`.
std::string comparison(const std::vector<CellConfig>& cells,
                       const std::vector<CellResult>& results) {
  std::map<std::string, std::pair<int, int>> pairs;  // other keys -> (reslink, vanilla)
  std::vector<std::string> order;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    std::string key;
    for (const ParamInfo& p : ModelHost<ModelC>::info().parameters)
      if (p.key != "identity") key += p.key + "=" + p.get(cells[i]) + " ";
    auto [it, fresh] = pairs.try_emplace(key, std::pair<int, int>{-1, -1});
    if (fresh) order.push_back(key);
    (cells[i].of<ModelCCell>().identity ? it->second.first : it->second.second) =
        static_cast<int>(i);
  }
  std::ostringstream os;
  bool any = false;
  for (const std::string& key : order) {
    const auto [r, v] = pairs[key];
    if (r < 0 || v < 0) continue;
    if (!any) {
      os << "\nResLink vs vanilla (cells equal but for identity):\n";
      os << "  cells     ResLink rate [95% CI]    vanilla rate [95% CI]   phase-I R/V      "
            "|W-W*|_F R/V\n";
      any = true;
    }
    const CellSummary& a = results[static_cast<std::size_t>(r)].summary;
    const CellSummary& b = results[static_cast<std::size_t>(v)].summary;
    auto phase = [](const CellTally& t) {
      const double p = mean_phase(t);
      if (std::isnan(p)) return std::string("n/a");
      char text[32];
      std::snprintf(text, sizeof text, "%.1f", p);
      return std::string(text);
    };
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "  %3d/%-3d   %.3f [%.3f, %.3f]    %.3f [%.3f, %.3f]   %6s/%-6s   %s/%s\n", r, v,
                  a.rate, a.ci.lo, a.ci.hi, b.rate, b.ci.lo, b.ci.hi, phase(a.tally).c_str(),
                  phase(b.tally).c_str(), sci(slot_mean(a.tally, kCDistF)).c_str(),
                  sci(slot_mean(b.tally, kCDistF)).c_str());
    os << buf;
  }
  return os.str();
}

ModelInfo make_info() {
  ModelInfo m;
  m.name = ModelC::kName;
  m.summary =
      "identity-mapping networks, ResLink or vanilla, relu or prelu (Li & Yuan, the PReLU report)";
  m.parameters = parameters();
  m.outcomes = {"converged", "diverged", "dead", "stuck", "undecided"};
  m.short_outcomes = {"conv", "div", "dead", "stuck", "undec"};
  m.default_table_keys = {"d", "mode", "identity", "activation"};
  m.apply_defaults = defaults_c;
  m.canonical = canonical_c;
  m.validate = validate_c;
  m.bound = [](const CellConfig&) { return TheoryBound{"none", kNaN}; };
  m.columns = columns();
  m.trajectory_header = "final_loss,potential_g,inner,ratio,dist_fro,dist_spec,phase_one_end";
  m.trajectory_row = trajectory_row;
  m.resolved = resolved_c;
  m.comparison = comparison;
  m.trace_columns = {{"loss", kCLoss},   {"g", kCPotential},    {"inner", kCInner},
                     {"ratio", kCRatio}, {"dist_fro", kCDistF}, {"dist_spec", kCDist2}};
  m.weight_prefix = "W";
  return m;
}

}  // namespace

const ModelInfo& ModelHost<ModelC>::info() {
  static const ModelInfo info = make_info();
  return info;
}

ModelCParams resolve_model_c(const CellConfig& c) {
  validate(c);
  ModelCParams p;
  resolve_common(c, p);
  p.identity = c.of<ModelCCell>().identity;
  p.slope = c.of<ModelCCell>().prelu ? c.of<ModelCCell>().slope : 0.0;
  p.diagnostics_every = c.of<ModelCCell>().diagnostics_every;
  p.teacher = c.of<ModelCCell>().teacher_matrix_kind;
  p.teacher_spectral = c.of<ModelCCell>().teacher_spectral;
  p.teacher_frobenius = c.of<ModelCCell>().teacher_frobenius;
  p.teacher_matrix = c.teacher_vector.empty() ? nullptr : c.teacher_vector.data();
  p.init = c.of<ModelCCell>().init_matrix_kind;
  p.init_spectral = c.of<ModelCCell>().init_spectral;
  p.init_frobenius = c.of<ModelCCell>().init_frobenius;
  p.init_matrix = c.init_vector.empty() ? nullptr : c.init_vector.data();
  return p;
}

TrajectoryRecord model_c_record(const ModelCState& s, const ModelCParams& p, std::uint32_t id) {
  TrajectoryRecord r;
  r.id = id;
  r.outcome = s.outcome;
  r.steps = s.steps;
  r.steps_to_converge = s.steps_to_converge;
  r.set_flag(kCPhaseEnded, s.phase_ended != 0);
  r.set_flag(kCStartedDead, s.started_dead != 0);
  // A final state whose diagnostics are not finite (the loss of weights past the arithmetic's
  // range, say) has diverged, whatever blowup says (MODEL.md §5); its slots stay out of the means.
  const double end_distance = p.identity ? s.dist_f : s.matched_dist;
  if (r.outcome != Outcome::diverged &&
      !(std::isfinite(s.loss) && std::isfinite(s.potential) && std::isfinite(s.inner) &&
        std::isfinite(end_distance) && std::isfinite(s.dist_2))) {
    r.outcome = Outcome::diverged;
    r.steps_to_converge = -1;
  }
  // A diverged trajectory's diagnostics are not numbers: NaN (trajectories.csv says nan).
  const bool diverged = r.outcome == Outcome::diverged;
  r.slot[kCLoss] = diverged ? kNaN : s.loss;
  r.slot[kCPotential] = diverged ? kNaN : s.potential;
  r.slot[kCInner] = diverged ? kNaN : s.inner;
  r.slot[kCRatio] = diverged ? kNaN : s.ratio;
  // Vanilla: the distance to its nearest-unit matching of the teacher.
  r.slot[kCDistF] = diverged ? kNaN : end_distance;
  r.slot[kCDist2] = diverged ? kNaN : s.dist_2;
  r.slot[kCPhaseEnd] = s.phase_ended != 0 ? static_cast<double>(s.phase_end) : kNaN;
  return r;
}

}  // namespace relusim
