// The one BLAS convention relusim uses on both sides: column-major, as cuBLAS and OpenBLAS's
// cblas with CblasColMajor.
#pragma once

namespace relusim {

enum class BlasTrans : int { none = 0, transpose = 1 };

}  // namespace relusim
