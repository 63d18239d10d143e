#include "relusim/engine/backend.hpp"
#include "relusim/engine/cuda_backend.hpp"

namespace relusim {

BackendKind backend_kind(const std::string& name) {
  if (name == "cpu") return BackendKind::cpu;
  if (name == "cuda") return BackendKind::cuda;
  if (name == "auto") return BackendKind::automatic;
  throw ConfigError("backend", "must be auto, cpu or cuda, got '" + name + "'");
}

std::unique_ptr<Backend> make_backend(BackendKind kind, int threads, std::string& note) {
  std::string why;
  switch (kind) {
    case BackendKind::cpu:
      note.clear();
      return make_cpu_backend(threads);
    case BackendKind::cuda:
      if (!cuda_device_available(why)) throw BackendError("--backend cuda: " + why);
      note = "using " + why;
      return make_cuda_backend();
    case BackendKind::automatic:
      if (cuda_device_available(why)) {
        note = "using " + why;
        return make_cuda_backend();
      }
      note = "no usable GPU (" + why + "); using the CPU backend";
      return make_cpu_backend(threads);
  }
  throw BackendError("unknown backend");
}

}  // namespace relusim
