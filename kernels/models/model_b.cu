// Model B on the CUDA backend: the generic runner (kernels/engine/runner.cuh) instantiated for
// ModelB. Model B has no preparation: every trajectory runs from its setup alone.
#include "relusim/models/b/host.hpp"
#include "runner.cuh"

namespace relusim {

template std::vector<BatchResult> cuda_run_group<ModelB>(CudaContext&,
                                                         const std::vector<TrajectoryBatch>&);

}  // namespace relusim
