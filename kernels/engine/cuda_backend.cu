// The CUDA backend: the Backend interface over the generic runner (runner.cuh), which each
// model of the list (models/list.hpp) instantiates in kernels/models/model_<m>.cu; the
// registry's with_model switches over that list. A model added at run time has no kernels.
#include <string>
#include <vector>

#include "cuda_context.cuh"
#include "relusim/engine/cuda_backend.hpp"
#include "relusim/engine/plan.hpp"
#include "relusim/models/finish.hpp"
#include "relusim/models/registry.hpp"

namespace relusim {
namespace {

class CudaBackend final : public Backend {
 public:
  std::string description() const override {
    return std::string("cuda (") + ctx_.props.name + ", sm_" + std::to_string(ctx_.props.major) +
           std::to_string(ctx_.props.minor) + ")";
  }

  std::string kind() const override { return "cuda"; }

  std::uint32_t preferred_batch_trajectories() const override { return 1u << 16; }

  BatchResult run(const TrajectoryBatch& batch) override {
    return std::move(run_group({batch}).front());
  }

  /// All batches of a group (one launch shape) in one launch per wave.
  std::vector<BatchResult> run_group(const std::vector<TrajectoryBatch>& batches) override {
    if (batches.empty()) return {};
    for (const TrajectoryBatch& b : batches)
      if (launch_shape(*b.cell) != launch_shape(*batches.front().cell))
        throw BackendError("run_group: batches of one group must share their launch shape");
    const std::string& name = batches.front().cell->model;
    if (!model_entry(name).built_in)
      throw BackendError("model " + name +
                         " has no CUDA kernels (it was added at run time); "
                         "run it with --backend cpu");
    return run_and_finish(batches, [&](const std::vector<TrajectoryBatch>& run) {
      return with_model(
          name, [&](auto tag) { return cuda_run_group<typename decltype(tag)::type>(ctx_, run); });
    });
  }

 private:
  CudaContext ctx_;
};

}  // namespace

bool cuda_compiled() {
  return true;
}

bool cuda_device_available(std::string& why) {
  int count = 0;  // left alone by cudaGetDeviceCount when no driver is installed
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    why = std::string("no CUDA device (cudaGetDeviceCount: ") + cudaGetErrorString(status) + ")";
    cudaGetLastError();  // clear the sticky error for later calls
    return false;
  }
  int device = 0;
  cudaDeviceProp props{};
  if (cudaGetDevice(&device) != cudaSuccess ||
      cudaGetDeviceProperties(&props, device) != cudaSuccess) {
    why = "CUDA device present but not usable";
    return false;
  }
  why = "GPU " + std::to_string(device) + ": " + props.name + " (sm_" +
        std::to_string(props.major) + std::to_string(props.minor) + ", " +
        std::to_string(props.totalGlobalMem >> 20) + " MiB)";
  return true;
}

void cuda_bind_device(int index) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    cudaGetLastError();
    return;
  }
  RELUSIM_CUDA_CHECK(cudaSetDevice(index % count));
}

std::unique_ptr<Backend> make_cuda_backend() {
  return std::make_unique<CudaBackend>();
}

}  // namespace relusim
