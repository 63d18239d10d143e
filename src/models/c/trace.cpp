// `relusim trace --model C`: one trajectory's loss, g, inner product, ratio and distances every k
// steps. |W - W*|_2 comes from LAPACK's SVD here for d <= 400 (the runs use power iteration at
// the end).
#include <limits>
#include <stdexcept>
#include <string>
#include <ostream>

#include "relusim/io/param_parsing.hpp"  // report_number
#include "relusim/models/c/host.hpp"
#include "relusim/models/model_info.hpp"

namespace relusim {
namespace {

constexpr int kTraceSvdLimit = 400;

template <class T>
struct TracePrinter {
  static constexpr bool enabled = true;
  std::int64_t every = 1;
  std::ostream* os = nullptr;
  std::int64_t last_printed = -1;

  void on_step(std::int64_t t, const ModelCWave<T>& w) {
    const int d = w.d;
    const auto dd = static_cast<std::size_t>(d) * static_cast<std::size_t>(d);
    const ModelCParams& p = w.p(0);
    // D = [I] + W - (I + W*) P: vanilla units against their matched teacher units (as the runs'
    // records), ResLink unit against unit.
    std::vector<double> diff(dd);
    for (int c = 0; c < d; ++c) {
      const int m = (!p.identity && w.state[0].matched != 0) ? w.col[c].match : c;
      for (int r = 0; r < d; ++r) {
        const std::size_t e = static_cast<std::size_t>(c) * d + r;
        const std::size_t em = static_cast<std::size_t>(m) * d + r;
        diff[e] = p.identity ? static_cast<double>(w.w[e]) - static_cast<double>(w.ws[e])
                             : static_cast<double>(w.w[e]) - static_cast<double>(w.ws[em]) -
                                   (r == m ? 1.0 : 0.0);
      }
    }
    ModelCState s = w.state[0];
    // An SVD per printed step costs O(d^3): above kTraceSvdLimit the spectral distance is left
    // out of the intermediate lines (NaN); the last line has the run's power-iteration value.
    s.dist_2 = d <= kTraceSvdLimit ? singular_values(diff.data(), d).front()
                                   : std::numeric_limits<double>::quiet_NaN();
    const TrajectoryRecord rec = model_c_record(s, p, w.ids[0]);
    print(t, rec, w.w, d);
  }
  void print(std::int64_t t, const TrajectoryRecord& rec, const T* wcol, int d) {
    *os << t;
    for (const auto& [name, slot] : ModelHost<ModelC>::info().trace_columns)
      *os << ',' << report_number(rec.slot[slot]);
    if (d <= 10)
      for (int r = 0; r < d; ++r)
        for (int c = 0; c < d; ++c)
          *os << ','
              << report_number(static_cast<double>(wcol[static_cast<std::size_t>(c) * d + r]));
    *os << '\n';
    // A closed pipe or a full disk ends the trace with an error, not a torn CSV with exit 0.
    if (!*os)
      throw std::runtime_error("cannot write the trace: the output refused it at step " +
                               std::to_string(t));
    last_printed = t;
  }
};

template <class T>
TrajectoryRecord trace_typed(const ModelCParams& p, std::uint32_t id, std::int64_t every,
                             std::ostream& os) {
  TracePrinter<T> printer{every, &os};
  std::vector<double> w(static_cast<std::size_t>(p.d) * static_cast<std::size_t>(p.d));
  const TrajectoryRecord r =
      run_model_c_on_host<T, TracePrinter<T>>({p}, {0}, {id}, w.data(), &printer).front();
  if (printer.last_printed != r.steps) {
    // The final state, with the run's own diagnostics (W back in column-major order).
    std::vector<T> col(w.size());
    for (int rr = 0; rr < p.d; ++rr)
      for (int c = 0; c < p.d; ++c)
        col[static_cast<std::size_t>(c) * p.d + rr] =
            static_cast<T>(w[static_cast<std::size_t>(rr) * p.d + c]);
    printer.print(r.steps, r, col.data(), p.d);
  }
  return r;
}

}  // namespace

TrajectoryRecord ModelHost<ModelC>::trace(const ModelCParams& p, bool single, std::uint32_t id,
                                          std::int64_t every, std::ostream& os) {
  host_blas_single_threaded();
  return single ? trace_typed<float>(p, id, every, os) : trace_typed<double>(p, id, every, os);
}

}  // namespace relusim
