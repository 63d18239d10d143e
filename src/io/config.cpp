// Validation of a cell (ranges and consistency, errors naming the key) and its resolution into
// the plain parameters the single-source code runs on.
#include "relusim/io/config.hpp"

#include <cmath>
#include <limits>

#include "relusim/models/a/theory.hpp"

namespace relusim {

void validate(const CellConfig& c) {
  auto require = [](bool ok, const char* key, const std::string& what) {
    if (!ok) throw ConfigError(key, what);
  };
  require(c.n_samples >= 1, "N", "must be >= 1");
  require(c.d >= 1, "d", "must be >= 1");
  require(c.d <= 65536, "d", "must be <= 65536");
  require(c.batch >= 1, "B", "must be >= 1");
  require(c.batch <= c.n_samples, "B",
          "must not exceed N (B = " + std::to_string(c.batch) +
              ", N = " + std::to_string(c.n_samples) + ")");
  require(std::isfinite(c.lambda) && c.lambda >= 0.0, "lambda", "must be finite and >= 0");
  require(std::isfinite(c.eta) && c.eta > 0.0, "eta", "must be finite and > 0");
  // One trajectory keeps its design (N x d) in memory; 2^31 entries are 16 GiB in double.
  const std::int64_t rows =
      c.mode == DataMode::fixed ? c.n_samples : (c.mode == DataMode::online ? c.batch : 0);
  require(rows * static_cast<std::int64_t>(c.d) <= (std::int64_t{1} << 31),
          c.mode == DataMode::online ? "B" : "N",
          "the design of one trajectory (" + std::string(c.mode == DataMode::online ? "B" : "N") +
              " x d = " + std::to_string(rows * c.d) + " entries) must not exceed 2^31 entries");
  require(c.steps >= 1, "steps", "must be >= 1");
  require(c.eps > 0.0 && c.eps < 1.0, "eps", "must lie in (0, 1)");
  require(std::isfinite(c.tol) && c.tol > 0.0, "tol", "must be > 0");
  require(std::isfinite(c.stuck_tol) && c.stuck_tol >= 0.0, "stuck_tol", "must be >= 0");
  require(c.blowup > 1.0, "blowup", "must be > 1");
  require(c.trials >= 1, "trials", "must be >= 1");
  require(c.trials <= std::numeric_limits<std::uint32_t>::max(), "trials", "must be < 2^32");
  require(std::isfinite(c.teacher_norm) && c.teacher_norm > 0.0, "teacher_norm", "must be > 0");
  require(std::isfinite(c.init_scale) && c.init_scale > 0.0, "init_scale", "must be > 0");
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
  require(!(c.mode == DataMode::expected && c.inputs == InputDistribution::uniform), "inputs",
          "the expected mode's closed form holds for gaussian inputs only");
  require(!(c.mode == DataMode::online && c.inputs == InputDistribution::uniform &&
            c.regularizer != Regularizer::none && c.lambda > 0.0),
          "inputs",
          "online mode with a regulariser targets the population optimum, which relusim knows "
          "for gaussian inputs only");
  if (c.criterion == Criterion::angle) require(c.tol < 3.14159, "tol", "an angle below pi");
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
  }
  return 0.0;
}

ModelAParams resolve(const CellConfig& c) {
  validate(c);
  ModelAParams p;
  p.d = c.d;
  p.n_samples = c.n_samples;
  p.batch = c.batch;
  p.mode = c.mode;
  p.inputs = c.inputs;
  p.regularizer = c.regularizer;
  p.convention = c.convention;
  p.lambda = c.regularizer == Regularizer::none ? 0.0 : c.lambda;
  p.eta = c.eta;
  p.max_steps = c.steps;
  p.criterion = c.criterion;
  p.tol = c.tol;
  p.stuck_tol = c.stuck_tol;
  p.blowup = c.blowup;
  p.early_stop = c.early_stop;
  p.init = c.init;
  const double ns = teacher_norm_of(c);
  p.init_radius = c.init == InitKind::ball_tight ? tight_ball_radius(c.d, c.eps) * ns
                                                 : ball_radius(c.d, c.eps) * ns;
  p.init_sigma = c.init_scale / std::sqrt(static_cast<double>(c.d));
  p.teacher = c.teacher;
  p.teacher_norm = c.teacher_norm;
  p.teacher_vector = c.teacher_vector.empty() ? nullptr : c.teacher_vector.data();
  p.init_vector = c.init_vector.empty() ? nullptr : c.init_vector.data();
  p.seed = c.seed;
  return p;
}

}  // namespace relusim
