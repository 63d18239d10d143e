// One scratch array cut into back-to-back arrays, written once per workspace: the same function
// sizes the layout (a counting Layout) and carves it (a carving Layout over the scratch), so the
// two cannot disagree. Single-source.
#pragma once

#include <cstdint>

#include "relusim/core/hd.hpp"

namespace relusim {

template <class T, bool kCarve = true>
class Layout {
 public:
  RELUSIM_HD explicit Layout(T* base = nullptr) : base_(base) {}
  /// The next n elements (nullptr when only counting).
  RELUSIM_HD T* take(std::int64_t n) {
    T* p = nullptr;
    if constexpr (kCarve) p = base_ + used_;
    used_ += n;
    return p;
  }
  /// Elements taken so far.
  RELUSIM_HD std::int64_t size() const { return used_; }

 private:
  T* base_;
  std::int64_t used_ = 0;
};

/// A Layout that only counts.
template <class T>
using CountingLayout = Layout<T, false>;

}  // namespace relusim
