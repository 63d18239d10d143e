// Fixed-width vectors for the host's hot loops (g++ only; nvcc compiles the generic loops).
//
// A Vec<T> is 64 bytes (8 doubles, 16 floats) whatever the ISA: the compiler lowers it to one
// AVX-512 register, two AVX2 registers or four SSE registers, and every lane computes exactly
// what the source says. Sums across lanes go through a fixed pairwise order, so results do not
// depend on the machine's vector width (DESIGN.md: results independent of the hardware's
// parallelism). Loads and stores are unaligned (memcpy), so any T* can be read.
#pragma once

#if !defined(__CUDACC__) && defined(__GNUC__)
#define RELUSIM_HOST_SIMD 1
#else
#define RELUSIM_HOST_SIMD 0
#endif

#if RELUSIM_HOST_SIMD

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#if defined(__AVX512F__) || defined(__FMA__)
#include <immintrin.h>
#endif

namespace relusim::simd {

template <class T>
struct VecOf;
template <>
struct VecOf<double> {
  typedef double type __attribute__((vector_size(64)));
  typedef std::int64_t mask __attribute__((vector_size(64)));
};
template <>
struct VecOf<float> {
  typedef float type __attribute__((vector_size(64)));
  typedef std::int32_t mask __attribute__((vector_size(64)));
};

/// 64 bytes of T.
template <class T>
using Vec = typename VecOf<T>::type;

template <class T>
inline constexpr int kWidth = static_cast<int>(64 / sizeof(T));

template <class T>
inline Vec<T> load(const T* p) {
  Vec<T> v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

template <class T>
inline void store(T* p, Vec<T> v) {
  std::memcpy(p, &v, sizeof(v));
}

template <class T>
inline Vec<T> splat(T a) {
  return Vec<T>{} + a;
}

/// The element type of a vector.
template <class V>
using Elem = std::remove_cvref_t<decltype(V{}[0])>;

/// a * b + c lane by lane, as hd::fma: one rounding where the ISA has FMA, else two (the host is
/// compiled with -ffp-contract=off, so `a * b + c` on vectors is always two).
template <class V>
inline V fma(V a, V b, V c) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<Elem<V>, double>) {
    return std::bit_cast<V>(_mm512_fmadd_pd(std::bit_cast<__m512d>(a), std::bit_cast<__m512d>(b),
                                            std::bit_cast<__m512d>(c)));
  } else {
    return std::bit_cast<V>(_mm512_fmadd_ps(std::bit_cast<__m512>(a), std::bit_cast<__m512>(b),
                                            std::bit_cast<__m512>(c)));
  }
#elif defined(__FMA__)
  if constexpr (std::is_same_v<Elem<V>, double>) {
    struct H {
      __m256d lo, hi;
    };
    const H x = std::bit_cast<H>(a), y = std::bit_cast<H>(b), z = std::bit_cast<H>(c);
    return std::bit_cast<V>(
        H{_mm256_fmadd_pd(x.lo, y.lo, z.lo), _mm256_fmadd_pd(x.hi, y.hi, z.hi)});
  } else {
    struct H {
      __m256 lo, hi;
    };
    const H x = std::bit_cast<H>(a), y = std::bit_cast<H>(b), z = std::bit_cast<H>(c);
    return std::bit_cast<V>(
        H{_mm256_fmadd_ps(x.lo, y.lo, z.lo), _mm256_fmadd_ps(x.hi, y.hi, z.hi)});
  }
#else
  return a * b + c;
#endif
}
/// a * b + c with a scalar a (splat).
template <class V>
inline V fma(Elem<V> a, V b, V c) {
  return fma(splat(a), b, c);
}
/// a * b + c with a scalar b (splat).
template <class V>
inline V fma(V a, Elem<V> b, V c) {
  return fma(a, splat(b), c);
}

/// a > 0 ? b : 0, lane by lane.
template <class V>
inline V where_positive(V a, V b) {
  return a > Elem<V>(0) ? b : V{};
}

/// |v| lane by lane: the sign bit cleared, as fabs does.
template <class V>
inline V abs(V v) {
  using M = decltype(v < v);
  constexpr auto sign_bit = std::numeric_limits<std::remove_cvref_t<decltype(M{}[0])>>::min();
  return std::bit_cast<V>(std::bit_cast<M>(v) & ~sign_bit);
}

/// sign(v) lane by lane as hd::sign computes it (1, -1 or 0), with `one` the splat of 1.
template <class V>
inline V sign(V v, V one) {
  return v > Elem<V>(0) ? one : (v < Elem<V>(0) ? -one : V{});
}

/// The lanes of a comparison's mask as bits (lane l: bit l).
template <class M>
inline std::uint32_t bits(M m) {
  constexpr int W = static_cast<int>(sizeof(M) / sizeof(m[0]));
#if defined(__AVX512F__)  // one instruction where the ISA has it
  if constexpr (W == 8) {
    const auto v = std::bit_cast<__m512i>(m);
    return _mm512_test_epi64_mask(v, v);
  } else if constexpr (W == 16) {
    const auto v = std::bit_cast<__m512i>(m);
    return _mm512_test_epi32_mask(v, v);
  }
#endif
  std::uint32_t out = 0;
  for (int l = 0; l < W; ++l)
    out |= (m[l] != 0 ? 1u : 0u) << l;
  return out;
}

/// The sum of the lanes in a fixed pairwise order: (l, l + W/2) first, then halves again (the
/// order of pairwise_sum in models/a/dynamics.hpp).
template <class V, std::size_t... I>
inline Elem<V> pairwise_lanes(V v, std::index_sequence<I...>) {
  if constexpr (sizeof...(I) == 0) {
    return v[0];
  } else {  // lanes I + H fold onto lanes I
    constexpr std::size_t H = sizeof...(I);
    return pairwise_lanes(
        __builtin_shufflevector(v, v, I...) + __builtin_shufflevector(v, v, (I + H)...),
        std::make_index_sequence<H / 2>{});
  }
}

template <class V>
inline Elem<V> sum(V v) {
  constexpr std::size_t W = sizeof(V) / sizeof(Elem<V>);
  return pairwise_lanes(v, std::make_index_sequence<W / 2>{});
}

}  // namespace relusim::simd

#endif
