// relusim._core: the engine for Python (nanobind). The job layer (include/relusim/app/job.hpp),
// the registry, trace, field, theory and reproduce, called in this process: no subprocess and
// no MPI. The package python/relusim/ wraps it in pandas and NumPy.
//
// While trajectories run the GIL is released; the job's stop test takes it back at most every
// 50 ms to let Python run its signal handlers (Ctrl-C raises KeyboardInterrupt once the batches
// in flight end) and the progress callback takes it after each batch. Messages go to a string
// (JobResult.log), never to stderr. Bad input raises relusim.ConfigError (a ValueError) with the
// command line's one-line message; failures of the environment raise RuntimeError or OSError.
// Over 500 lines on purpose: one module definition, every binding a thin wrapper of the library.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "relusim/app/job.hpp"
#include "relusim/engine/backend.hpp"
#include "relusim/io/config.hpp"
#include "relusim/io/journal.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/field.hpp"
#include "relusim/models/model_info.hpp"
#include "relusim/models/trace.hpp"
#include "relusim/reproduce/lab.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace relusim::python {
namespace {

PyObject* g_config_error = nullptr;  // relusim.ConfigError, a ValueError

/// A keyword argument's value as the registry takes it: the Python layer has already turned
/// NumPy scalars and arrays into Python numbers and lists.
ParamValue to_value(const std::string& key, nb::handle v) {
  if (PyBool_Check(v.ptr())) return v.ptr() == Py_True;
  if (PyLong_Check(v.ptr())) {
    int overflow = 0;
    const long long n = PyLong_AsLongLongAndOverflow(v.ptr(), &overflow);
    if (overflow != 0) throw ConfigError(key, "integer out of range");
    return static_cast<std::int64_t>(n);
  }
  if (PyFloat_Check(v.ptr())) return PyFloat_AsDouble(v.ptr());
  if (PyUnicode_Check(v.ptr())) return nb::cast<std::string>(v);
  if (PyList_Check(v.ptr()) || PyTuple_Check(v.ptr())) {
    std::vector<double> out;
    for (nb::handle item : nb::borrow<nb::sequence>(v)) {
      if (PyBool_Check(item.ptr()) || !(PyLong_Check(item.ptr()) || PyFloat_Check(item.ptr())))
        throw ConfigError(key, "a list must hold numbers");
      out.push_back(PyFloat_AsDouble(item.ptr()));
    }
    return out;
  }
  throw ConfigError(
      key, "cannot read a value of Python type " + nb::cast<std::string>(nb::type_name(v.type())));
}

std::vector<std::pair<std::string, ParamValue>> to_values(
    const std::vector<std::pair<std::string, nb::object>>& given) {
  std::vector<std::pair<std::string, ParamValue>> out;
  for (const auto& [key, value] : given)
    out.emplace_back(key, to_value(key, value));
  return out;
}

/// The job's stop test and progress callback, run with the GIL released: each takes the GIL
/// briefly. A Python exception (KeyboardInterrupt from Ctrl-C, or one the callback raised) stops
/// the job and is raised once it has ended.
struct PythonHooks {
  nb::object progress;  // callable(done, total) or None
  bool interruptible = true;
  std::optional<nb::python_error> error;
  std::chrono::steady_clock::time_point last_check{};
  std::chrono::steady_clock::time_point last_progress{};

  bool stop() {
    if (error) return true;
    if (!interruptible) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_check < std::chrono::milliseconds(50)) return false;
    last_check = now;
    nb::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) error.emplace();  // fetches and clears the error
    return error.has_value();
  }

  void on_progress(std::int64_t done, std::int64_t total) {
    if (!progress.is_valid() || progress.is_none() || error) return;
    const auto now = std::chrono::steady_clock::now();
    if (done != total && done != 0 && now - last_progress < std::chrono::milliseconds(100)) return;
    last_progress = now;
    nb::gil_scoped_acquire gil;
    try {
      progress(done, total);
    } catch (nb::python_error& e) {
      error.emplace(std::move(e));
    }
  }
};

/// A job's outcome, with what it needs to write its files again (Result.save).
struct JobResult {
  JobOutcome outcome;
  JobSource source;
  bool keep_trajectories = false;
  bool keep_weights = false;
  std::string out_dir;
  std::string log;

  std::string status() const {
    switch (outcome.status) {
      case JobStatus::complete:
        return "complete";
      case JobStatus::shard_complete:
        return "shard_complete";
      case JobStatus::stopped:
        return "stopped";
      case JobStatus::other_rank:
        break;
    }
    return "other_rank";
  }
  void need_complete() const {
    if (outcome.status != JobStatus::complete)
      throw std::runtime_error("the run did not complete (" + status() + ")");
  }
  std::string summary_csv_text() const {
    need_complete();
    return summary_csv(outcome.plan.cells, outcome.results);
  }
  std::vector<std::pair<std::string, std::string>> summary_schema() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [name, kind] : summary_csv_schema(outcome.plan.cells))
      out.emplace_back(name, std::string(1, kind));
    return out;
  }
  std::string summary_json_text() const {
    need_complete();
    return summary_json(outcome.plan.cells, outcome.results, outcome.provenance, source.definition)
               .dump(2) +
           "\n";
  }
  std::string trajectories_csv_text() const {
    need_complete();
    if (!keep_trajectories)
      throw ConfigError("trajectories", "the run kept no trajectories (trajectories=True)");
    return trajectories_csv(outcome.plan.cells, outcome.results);
  }
  std::string table() const {
    need_complete();
    std::ostringstream os;
    print_table(os, outcome.plan.cells, outcome.results, outcome.table_keys);
    return os.str();
  }
  std::vector<std::string> cells() const {
    std::vector<std::string> out;
    for (const CellConfig& c : outcome.plan.cells)
      out.push_back(cell_json(c).dump());
    return out;
  }
  void save(const std::string& dir) const {
    need_complete();
    save_job_outputs(outcome, source, dir, keep_trajectories);
  }
};

/// Cell `i`'s final weights, trials x (weights per trajectory), read-only and without a copy:
/// the array keeps the result alive.
nb::ndarray<nb::numpy, const double, nb::ndim<2>> final_weights(nb::handle self_handle,
                                                                std::size_t i) {
  const JobResult& self = nb::cast<const JobResult&>(self_handle);
  self.need_complete();
  if (!self.keep_weights) throw ConfigError("weights", "the run kept no weights (weights=True)");
  if (i >= self.outcome.results.size()) throw nb::index_error("no such cell");
  const std::vector<double>& w = self.outcome.results[i].final_weights;
  const auto trials = static_cast<std::size_t>(self.outcome.results[i].summary.trials);
  const std::size_t per = trials > 0 ? w.size() / trials : 0;
  if (per * trials != w.size() || (trials > 0 && per == 0))  // never a misshapen array
    throw std::logic_error("cell " + std::to_string(i) + " holds " + std::to_string(w.size()) +
                           " final weights for " + std::to_string(trials) + " trajectories");
  return nb::ndarray<nb::numpy, const double, nb::ndim<2>>(w.data(), {trials, per}, self_handle);
}

struct JobArgs {
  std::string backend = "auto";
  int threads = 0;
  std::string out;
  bool resume = false;
  bool force = false;
  bool trajectories = false;
  bool weights = false;
  std::int64_t batch_trajectories = 0;
  std::string command;
  std::string resume_hint;
  nb::object progress;
  bool interruptible = true;
};

/// Runs cells as a job with the GIL released; raises the Python error that stopped it, if any.
std::unique_ptr<JobResult> run_cells(std::vector<CellConfig> cells, JobSource source,
                                     const JobArgs& a) {
  auto result = std::make_unique<JobResult>();
  result->source = source;
  result->keep_trajectories = a.trajectories;
  result->keep_weights = a.weights;
  result->out_dir = a.out;
  PythonHooks hooks{a.progress, a.interruptible, std::nullopt, {}, {}};
  std::ostringstream log;
  JobOptions o;
  o.backend = backend_kind(a.backend);
  o.threads = a.threads;
  o.out_dir = a.out;
  o.keep_trajectories = a.trajectories;
  o.keep_weights = a.weights;
  o.batch_trajectories = a.batch_trajectories;
  o.resume = a.resume;
  o.force = a.force;
  o.command = a.command;
  o.resume_hint = a.resume_hint;
  o.log = &log;
  o.stop_requested = [&hooks] { return hooks.stop(); };
  o.on_progress = [&hooks](std::int64_t done, std::int64_t total) {
    hooks.on_progress(done, total);
  };
  {
    nb::gil_scoped_release nogil;
    result->outcome = run_job(std::move(cells), source, o);
  }
  result->log = log.str();
  if (hooks.error) throw std::move(*hooks.error);
  return result;
}

std::unique_ptr<JobResult> run_cell_py(
    const std::vector<std::pair<std::string, nb::object>>& values, const JobArgs& a) {
  const CellConfig cell = cell_from_values(to_values(values));
  return run_cells({cell}, cell_job_source(cell), a);
}

std::unique_ptr<JobResult> run_sweep_py(const std::string& file, const std::string& text,
                                        const std::string& name, const std::string& trials,
                                        const JobArgs& a) {
  SweepJob job =
      file.empty() ? load_sweep_text_job(text, name, trials) : load_sweep_job(file, trials);
  return run_cells(std::move(job.cells), job.source, a);
}

nb::list keys_py(const std::string& model) {
  model_info(model);  // an unknown model raises ConfigError("model")
  CellConfig defaults;
  set_parameter(defaults, "model", std::string(model));
  const nlohmann::json values = cell_json(defaults);
  nb::list out;
  for (const ParamInfo& p : cell_parameters(model)) {
    const char* type = "str";
    switch (p.type) {
      case ParamType::integer:
        type = "int";
        break;
      case ParamType::integer_or_auto:
        type = "int_or_auto";
        break;
      case ParamType::real:
        type = "float";
        break;
      case ParamType::boolean:
        type = "bool";
        break;
      case ParamType::choice:
        type = "choice";
        break;
      case ParamType::vector_or_choice:
        type = "choice_or_vector";
        break;
    }
    nb::dict d;
    d["key"] = p.key;
    d["type"] = type;
    d["help"] = p.help;
    d["choices"] = p.choices;
    d["default_text"] = p.get(defaults);
    d["default_json"] = values.contains(p.key) ? values.at(p.key).dump() : std::string("null");
    out.append(d);
  }
  return out;
}

nb::tuple trace_py(const std::vector<std::pair<std::string, nb::object>>& values, std::int64_t id,
                   std::int64_t every) {
  const CellConfig cell = cell_from_values(to_values(values));
  if (id < 0 || id >= cell.trials) throw ConfigError("trajectory", "must lie in [0, trials)");
  if (every < 1) throw ConfigError("every", "must be >= 1");
  std::ostringstream csv;
  TrajectoryRecord r;
  {
    nb::gil_scoped_release nogil;
    r = trace_trajectory(cell, static_cast<std::uint32_t>(id), every, csv);
  }
  const ModelInfo& model = model_info(cell.model);
  nb::dict end;
  end["outcome"] = model.outcomes[static_cast<std::size_t>(r.outcome)];
  end["steps"] = r.steps;
  end["steps_to_converge"] = r.steps_to_converge;
  for (const auto& [name, slot] : model.trace_columns)
    end[nb::str(name.c_str())] = r.slot[slot];
  return nb::make_tuple(csv.str(), end);
}

nb::list theory_py(const std::string& model, std::int64_t n, std::int64_t d, std::int64_t k,
                   double eps, bool have_xy, double x, double y) {
  const ModelInfo& m = model_info(model);
  if (m.theory == nullptr) throw ConfigError("model", "has no closed forms");
  TheoryQuery q;
  q.n = n;
  q.d = d;
  q.k = k;
  q.eps = eps;
  q.have_xy = have_xy;
  q.x = x;
  q.y = y;
  nb::list out;
  for (const TheoryEntry& e : m.theory(q))
    out.append(nb::make_tuple(e.key, e.values, e.integer, e.label, e.note));
  return out;
}

std::vector<std::string> theory_models() {
  std::vector<std::string> out;
  for (const std::string& name : model_names())
    if (model_info(name).theory != nullptr) out.push_back(name);
  return out;
}

nb::dict field_py(const std::vector<std::pair<std::string, nb::object>>& values, std::int64_t id,
                  const std::vector<double>& x, const std::vector<double>& y, int points) {
  bool d_given = false;
  for (const auto& [key, value] : values)
    d_given = d_given || key == "d";
  const CellConfig cell = cell_from_values(
      to_values(values), [d_given](CellConfig& c) { complete_field_cell(c, d_given); });
  if (id < 0 || id >= cell.trials) throw ConfigError("trajectory", "must lie in [0, trials)");
  if (points < 2 || points > 2001) throw ConfigError("points", "must lie in [2, 2001]");
  FieldGrid g = default_field_grid(cell);
  if (!x.empty()) {
    if (x.size() != 2) throw ConfigError("x", "needs (lo, hi)");
    g.x0 = x[0], g.x1 = x[1];
  }
  if (!y.empty()) {
    if (y.size() != 2) throw ConfigError("y", "needs (lo, hi)");
    g.y0 = y[0], g.y1 = y[1];
  }
  g.points = points;
  Field f;
  {
    nb::gil_scoped_release nogil;
    f = vector_field(cell, static_cast<std::uint32_t>(id), g);
  }
  std::vector<double> px, py, dx, dy, loss;
  for (const FieldPoint& p : f.points) {
    px.push_back(p.x);
    py.push_back(p.y);
    dx.push_back(p.dx);
    dy.push_back(p.dy);
    loss.push_back(p.loss);
  }
  nb::list marks;
  for (const FieldMark& m : f.marks)
    marks.append(nb::make_tuple(m.name, m.x, m.y));
  nb::dict out;
  out["x"] = px;
  out["y"] = py;
  out["dx"] = dx;
  out["dy"] = dy;
  out["loss"] = loss;
  out["points"] = g.points;
  out["marks"] = marks;
  out["x_label"] = f.x_label;
  out["y_label"] = f.y_label;
  out["title"] = f.title;
  out["csv"] = field_csv(f);
  out["marks_csv"] = field_marks_csv(f);
  return out;
}

nb::dict reproduce_py(const std::string& name, const std::string& out, bool quick,
                      const std::string& backend_name, int threads, bool draw,
                      const std::string& python, const std::string& command) {
  const Experiment& e = find_experiment(name);
  if (out.empty()) throw ConfigError("out", "reproduce needs out= (its data, figures, report)");
  if (threads < 0 || threads > kMaxThreads)
    throw ConfigError("threads", "must lie in [0, " + std::to_string(kMaxThreads) + "]");
  std::ostringstream log;
  ExperimentReport rep;
  {
    nb::gil_scoped_release nogil;
    std::string note;
    std::unique_ptr<Backend> backend = make_backend(backend_kind(backend_name), threads, note);
    if (!note.empty()) log << "relusim: " << note << '\n';
    ReproduceOptions ro;
    ro.quick = quick;
    ro.out_dir = out;
    ro.command = command;
    ro.draw = draw;
    ro.log = &log;
    ro.python = python;
    rep = run_experiment(e, ro, *backend);
  }
  nb::list claims;
  for (const Claim& c : rep.claims) {
    nb::dict d;
    d["id"] = c.id;
    d["paper"] = c.paper;
    d["measured"] = c.measured;
    d["verdict"] = c.verdict;
    d["reason"] = c.reason;
    d["value"] = c.value;
    d["lo"] = c.lo;
    d["hi"] = c.hi;
    claims.append(d);
  }
  nb::dict r;
  r["name"] = rep.name;
  r["title"] = rep.title;
  r["claims"] = claims;
  r["figures"] = rep.figures;
  r["figures_drawn"] = rep.figures_drawn;
  r["seconds"] = rep.seconds;
  r["log"] = log.str();
  return r;
}

std::vector<std::pair<std::string, std::string>> experiment_list() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Experiment& e : experiments())
    out.emplace_back(e.name, e.summary);
  return out;
}

}  // namespace
}  // namespace relusim::python

NB_MODULE(_core, m) {
  using namespace relusim;
  using namespace relusim::python;
  m.doc() = "relusim's engine (the package relusim wraps it; see help(relusim))";

  g_config_error = PyErr_NewExceptionWithDoc(
      "relusim.ConfigError",
      "Bad input: an unknown key, a value out of range, a sweep file that does not parse. The "
      "message is the command line's one-line message.",
      PyExc_ValueError, nullptr);
  m.attr("ConfigError") = nb::handle(g_config_error);
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const ConfigError& e) {
      PyErr_SetString(g_config_error, one_line(e.what()).c_str());
    } catch (const JournalError& e) {
      PyErr_SetString(g_config_error, one_line(e.what()).c_str());
    } catch (const JobFailed& e) {
      PyErr_SetString(e.code() == 2 ? g_config_error : PyExc_RuntimeError,
                      one_line(e.what()).c_str());
    } catch (const std::filesystem::filesystem_error& e) {
      PyErr_SetString(PyExc_OSError, one_line(e.what()).c_str());
    }
  });

  m.def("version", &relusim_version);
  m.def("git_revision", &relusim_git_revision);
  m.def("model_names", &model_names);
  m.def("theory_models", &theory_models);
  m.def("experiments", &experiment_list);

  nb::class_<JobArgs>(m, "JobArgs")
      .def(nb::init<>())
      .def_rw("backend", &JobArgs::backend)
      .def_rw("threads", &JobArgs::threads)
      .def_rw("out", &JobArgs::out)
      .def_rw("resume", &JobArgs::resume)
      .def_rw("force", &JobArgs::force)
      .def_rw("trajectories", &JobArgs::trajectories)
      .def_rw("weights", &JobArgs::weights)
      .def_rw("batch_trajectories", &JobArgs::batch_trajectories)
      .def_rw("command", &JobArgs::command)
      .def_rw("resume_hint", &JobArgs::resume_hint)
      .def_rw("progress", &JobArgs::progress)
      .def_rw("interruptible", &JobArgs::interruptible);

  nb::class_<JobResult>(m, "JobResult")
      .def_prop_ro("status", &JobResult::status)
      .def_prop_ro("log", [](const JobResult& r) { return r.log; })
      .def_prop_ro("seconds", [](const JobResult& r) { return r.outcome.seconds; })
      .def_prop_ro("backend", [](const JobResult& r) { return r.outcome.backend_description; })
      .def_prop_ro("trajectories_done",
                   [](const JobResult& r) { return r.outcome.trajectories_done; })
      .def_prop_ro("trajectories_total",
                   [](const JobResult& r) { return r.outcome.trajectories_total; })
      .def_prop_ro("table_keys", [](const JobResult& r) { return r.outcome.table_keys; })
      .def_prop_ro("keeps_trajectories", [](const JobResult& r) { return r.keep_trajectories; })
      .def_prop_ro("keeps_weights", [](const JobResult& r) { return r.keep_weights; })
      .def_prop_ro("out", [](const JobResult& r) { return r.out_dir; })
      .def("summary_csv", &JobResult::summary_csv_text)
      .def("summary_json", &JobResult::summary_json_text)
      .def("summary_schema", &JobResult::summary_schema)
      .def("trajectories_csv", &JobResult::trajectories_csv_text)
      .def("table", &JobResult::table)
      .def("cells", &JobResult::cells)
      .def("save", &JobResult::save, "dir"_a)
      .def(
          "final_weights", [](nb::handle self, std::size_t i) { return final_weights(self, i); },
          "cell"_a);

  m.def("run_cell", &run_cell_py, "values"_a, "args"_a);
  m.def("run_sweep", &run_sweep_py, "file"_a, "text"_a, "name"_a, "trials"_a, "args"_a);
  m.def("keys", &keys_py, "model"_a);
  m.def("trace", &trace_py, "values"_a, "trajectory"_a, "every"_a);
  m.def("theory", &theory_py, "model"_a, "N"_a, "d"_a, "K"_a, "eps"_a, "have_xy"_a, "x"_a, "y"_a);
  m.def("field", &field_py, "values"_a, "trajectory"_a, "x"_a, "y"_a, "points"_a);
  m.def("reproduce", &reproduce_py, "name"_a, "out"_a, "quick"_a, "backend"_a, "threads"_a,
        "draw"_a, "python"_a, "command"_a);
}
