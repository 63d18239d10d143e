// `relusim theory`: the closed forms a model registers (ModelInfo::theory). Model A: A_d, the
// papers' bounds and the radii for N, d, eps; model B: x*(K) of Tian Thm 4.1 and the reduced
// (x, y) field and loss. Every number is printed in its shortest round-trip form.
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "options.hpp"
#include "relusim/io/param_parsing.hpp"
#include "relusim/models/model_info.hpp"

namespace relusim::cli {

Command add_theory(CLI::App& app, const Context&) {
  struct State {
    std::int64_t n = 10, d = 2, k = 2;
    double eps = 0.1, x = 0.0, y = 0.0;
    std::string model = "A";
  };
  auto s = std::make_shared<State>();
  CLI::App* theory = app.add_subcommand(
      "theory",
      "model A: A_d, the bounds and the radii for N, d, eps; model B: x*(K) of Tian Thm 4.1 and "
      "the reduced (x, y) field");
  std::vector<std::string> with;  // the models that register closed forms
  for (const std::string& name : model_names())
    if (model_info(name).theory != nullptr) with.push_back(name);
  theory->add_option("--model", s->model, "a model with closed forms: " + params::join(with))
      ->check(CLI::IsMember(with))
      ->capture_default_str();
  theory->add_option("--K", s->k, "model B: hidden units K")->capture_default_str();
  CLI::Option* x = theory->add_option("--x", s->x, "model B: x of a symmetric state");
  CLI::Option* y = theory->add_option("--y", s->y, "model B: y of a symmetric state");
  theory->add_option("--N", s->n, "number of samples N")->capture_default_str();
  theory->add_option("--d", s->d, "input dimension d")->capture_default_str();
  theory->add_option("--eps", s->eps, "epsilon in (0, 1)")->capture_default_str();
  return {theory, [s, x, y] {
            const ModelInfo& m = model_info(s->model);
            if (m.theory == nullptr) throw ConfigError("model", "has no closed forms to print");
            TheoryQuery q;
            q.n = s->n;
            q.d = s->d;
            q.k = s->k;
            q.eps = s->eps;
            q.have_xy = x->count() > 0 || y->count() > 0;
            q.x = s->x;
            q.y = s->y;
            // Each entry on one line: the label in 27 columns, the value (a pair in parentheses),
            // the note after three spaces; every number in its shortest round-trip form.
            for (const TheoryEntry& e : m.theory(q)) {
              std::string value;
              for (double v : e.values)
                value += (value.empty() ? "" : ", ") +
                         (e.integer ? std::to_string(static_cast<long long>(v)) : report_number(v));
              if (e.values.size() > 1) value = "(" + value + ")";
              std::cout << e.label
                        << std::string(e.label.size() < 27 ? 27 - e.label.size() : 1, ' ') << value
                        << (e.note.empty() ? "" : "   " + e.note) << '\n';
            }
            return 0;
          }};
}

}  // namespace relusim::cli
