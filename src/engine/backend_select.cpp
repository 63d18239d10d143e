#include "relusim/engine/backend.hpp"
#include "relusim/engine/cuda_backend.hpp"

namespace relusim {

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
