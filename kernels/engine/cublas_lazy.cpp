// cuBLAS, opened when the CUDA backend first calls it. Linking libcublas and libcublasLt costs
// every process about 26,000 page faults at start (0.1-0.3 s measured on the development
// machine, docs/benchmarks.md), which `relusim --version`, a CPU run and `import relusim` must
// not pay. The CUDA backend calls seven cuBLAS entry points; each is defined here with the
// header's signature and forwards to the library's own, opened with dlopen (first beside the
// CUDA runtime the process loaded, then by the loader's search) and looked up once.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <dlfcn.h>

#include <string>
#include <vector>

#include "relusim/engine/backend.hpp"

namespace {

void* cublas_library() {
  static void* const handle = [] {
    const std::string name = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
    std::vector<std::string> candidates;
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&cudaGetDeviceCount), &info) != 0 &&
        info.dli_fname != nullptr) {
      const std::string runtime = info.dli_fname;
      const auto slash = runtime.rfind('/');
      if (slash != std::string::npos) candidates.push_back(runtime.substr(0, slash + 1) + name);
    }
    candidates.push_back(name);
    candidates.push_back("libcublas.so");
    for (const std::string& c : candidates)
      if (void* h = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL)) return h;
    return static_cast<void*>(nullptr);
  }();
  if (handle == nullptr)
    throw relusim::BackendError("cannot load cuBLAS (libcublas.so." +
                                std::to_string(CUBLAS_VER_MAJOR) +
                                "): install the CUDA toolkit's cuBLAS or add its directory to "
                                "LD_LIBRARY_PATH");
  return handle;
}

template <class F>
F entry(const char* name) {
  void* p = dlsym(cublas_library(), name);
  if (p == nullptr)
    throw relusim::BackendError(std::string("cuBLAS has no ") + name + " (a version mismatch)");
  return reinterpret_cast<F>(p);
}

}  // namespace

extern "C" {

cublasStatus_t CUBLASWINAPI cublasCreate_v2(cublasHandle_t* handle) {
  static const auto f = entry<decltype(&cublasCreate_v2)>("cublasCreate_v2");
  return f(handle);
}

cublasStatus_t CUBLASWINAPI cublasDestroy_v2(cublasHandle_t handle) {
  static const auto f = entry<decltype(&cublasDestroy_v2)>("cublasDestroy_v2");
  return f(handle);
}

cublasStatus_t CUBLASWINAPI cublasSetStream_v2(cublasHandle_t handle, cudaStream_t stream) {
  static const auto f = entry<decltype(&cublasSetStream_v2)>("cublasSetStream_v2");
  return f(handle, stream);
}

cublasStatus_t CUBLASWINAPI cublasSgemmStridedBatched(
    cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k,
    const float* alpha, const float* A, int lda, long long int strideA, const float* B, int ldb,
    long long int strideB, const float* beta, float* C, int ldc, long long int strideC,
    int batchCount) {
  static const auto f = entry<decltype(&cublasSgemmStridedBatched)>("cublasSgemmStridedBatched");
  return f(handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc,
           strideC, batchCount);
}

cublasStatus_t CUBLASWINAPI cublasDgemmStridedBatched(
    cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k,
    const double* alpha, const double* A, int lda, long long int strideA, const double* B, int ldb,
    long long int strideB, const double* beta, double* C, int ldc, long long int strideC,
    int batchCount) {
  static const auto f = entry<decltype(&cublasDgemmStridedBatched)>("cublasDgemmStridedBatched");
  return f(handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc,
           strideC, batchCount);
}

cublasStatus_t CUBLASWINAPI cublasDgetrfBatched(cublasHandle_t handle, int n, double* const A[],
                                                int lda, int* P, int* info, int batchSize) {
  static const auto f = entry<decltype(&cublasDgetrfBatched)>("cublasDgetrfBatched");
  return f(handle, n, A, lda, P, info, batchSize);
}

cublasStatus_t CUBLASWINAPI cublasDgetrsBatched(cublasHandle_t handle, cublasOperation_t trans,
                                                int n, int nrhs, const double* const Aarray[],
                                                int lda, const int* devIpiv, double* const Barray[],
                                                int ldb, int* info, int batchSize) {
  static const auto f = entry<decltype(&cublasDgetrsBatched)>("cublasDgetrsBatched");
  return f(handle, trans, n, nrhs, Aarray, lda, devIpiv, Barray, ldb, info, batchSize);
}

}  // extern "C"
