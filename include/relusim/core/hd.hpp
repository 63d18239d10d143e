// The one header that spells __host__ __device__ (DESIGN.md rule 1) and the math the
// single-source code may call on both sides.
#pragma once

#if defined(__CUDACC__)
#define RELUSIM_HD __host__ __device__
#else
#define RELUSIM_HD
#endif

// For the few small functions of a hot loop that must be inlined whatever the size of the
// caller (the compiler's heuristics give up inside a whole trajectory).
#if defined(__CUDACC__)
#define RELUSIM_INLINE __forceinline__
#elif defined(__GNUC__)
#define RELUSIM_INLINE inline __attribute__((always_inline))
#else
#define RELUSIM_INLINE inline
#endif

// cuRAND's device API reads QUALIFIERS: with these it compiles as host code under g++ and as
// host+device code under nvcc (random.hpp includes it after this header).
#if !defined(QUALIFIERS)
#if defined(__CUDACC__)
#define QUALIFIERS static __forceinline__ __host__ __device__
#else
#define QUALIFIERS static inline
#endif
#endif

#include <cmath>
#include <cstdint>
#include <limits>

namespace relusim::hd {

inline constexpr double kPi = 3.14159265358979323846;

RELUSIM_HD inline float sqrt(float x) {
  return ::sqrtf(x);
}
RELUSIM_HD inline double sqrt(double x) {
  return ::sqrt(x);
}
RELUSIM_HD inline float fabs(float x) {
  return ::fabsf(x);
}
RELUSIM_HD inline double fabs(double x) {
  return ::fabs(x);
}
RELUSIM_HD inline float sin(float x) {
  return ::sinf(x);
}
RELUSIM_HD inline double sin(double x) {
  return ::sin(x);
}
RELUSIM_HD inline float cos(float x) {
  return ::cosf(x);
}
RELUSIM_HD inline double cos(double x) {
  return ::cos(x);
}
RELUSIM_HD inline float acos(float x) {
  return ::acosf(x);
}
RELUSIM_HD inline double acos(double x) {
  return ::acos(x);
}
RELUSIM_HD inline double pow(double x, double y) {
  return ::pow(x, y);
}

/// a * b + c: on the host in one rounding where the hardware fuses (an x86 host built for FMA,
/// as -march=native is on any x86 since 2013), else in two. Device code leaves the choice to
/// nvcc, which contracts by default, as before (explicit fmas there changed the Model A double
/// kernel's register allocation and made it spill 8 bytes). Host code is compiled with
/// -ffp-contract=off (CMakeLists.txt), so the compiler never fuses a multiply and an add on its
/// own: every fused multiply-add of the host is one of these, written where the source says, and
/// a result does not depend on inlining, on the caller's translation unit or on the compiler's
/// version. (With contraction on, GCC 13 gave the same trajectory different last bits in two
/// translation units of one program.)
RELUSIM_HD inline float fma(float a, float b, float c) {
#if defined(__CUDA_ARCH__)  // nvcc fuses on its own (--fmad=true), as it always did
  return a * b + c;
#elif defined(__FMA__)
  return __builtin_fmaf(a, b, c);
#else
  return a * b + c;
#endif
}
RELUSIM_HD inline double fma(double a, double b, double c) {
#if defined(__CUDA_ARCH__)  // nvcc fuses on its own (--fmad=true), as it always did
  return a * b + c;
#elif defined(__FMA__)
  return __builtin_fma(a, b, c);
#else
  return a * b + c;
#endif
}

#if defined(__CUDA_ARCH__)
__device__ inline bool isfinite(float x) {
  return ::isfinite(x);
}
__device__ inline bool isfinite(double x) {
  return ::isfinite(x);
}
#else
inline bool isfinite(float x) {
  return std::isfinite(x);
}
inline bool isfinite(double x) {
  return std::isfinite(x);
}
#endif

/// A quiet NaN ("not applicable" in a record slot).
RELUSIM_HD inline double quiet_nan() {
  return std::numeric_limits<double>::quiet_NaN();
}

template <class T>
RELUSIM_HD inline T max(T a, T b) {
  return a < b ? b : a;
}
template <class T>
RELUSIM_HD inline T min(T a, T b) {
  return b < a ? b : a;
}
template <class T>
RELUSIM_HD inline T sign(T x) {
  return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
}
template <class T>
RELUSIM_HD inline T relu(T x) {
  return x > T(0) ? x : T(0);
}

/// Angle in [0, pi] from a cosine that rounding may have pushed outside [-1, 1].
template <class T>
RELUSIM_HD inline T angle_from_cos(T c) {
  return acos(max(T(-1), min(T(1), c)));
}

}  // namespace relusim::hd

namespace relusim {

/// Rows of a column-major design are padded to a multiple of this (zero rows), so host loops run
/// whole 64-byte vectors (8 doubles, 16 floats) with no tail.
inline constexpr int kDesignPad = 16;
static_assert((kDesignPad & (kDesignPad - 1)) == 0, "design_ld masks with -kDesignPad");

/// The leading dimension of a column-major design of `rows` rows: rows rounded up to kDesignPad,
/// and kDesignPad more where that is a multiple of 512. Columns a multiple of 4 KiB apart (512
/// doubles, 1024 floats) fall into the same sets of the L1 cache, so a pass across the columns
/// of a few rows evicted its own lines (docs/benchmarks.md, "Measurements behind the code").
/// Written without a branch: the CUDA kernels' register budget is tight.
RELUSIM_HD inline int design_ld(int rows) {
  const int ld = (rows + kDesignPad - 1) & -kDesignPad;
  return ld + (((ld & 511) == 0 && ld > 0) ? kDesignPad : 0);
}

/// Scales v (length d) to the given Euclidean norm, accumulating in double; 0 stays 0.
template <class T>
RELUSIM_HD inline void normalize_to(T* v, int d, double norm) {
  double s = 0.0;
  for (int j = 0; j < d; ++j)
    s = hd::fma(static_cast<double>(v[j]), static_cast<double>(v[j]), s);
  const double scale = s > 0.0 ? norm / hd::sqrt(s) : 0.0;
  for (int j = 0; j < d; ++j)
    v[j] = static_cast<T>(static_cast<double>(v[j]) * scale);
}

}  // namespace relusim
