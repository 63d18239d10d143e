// libFuzzer target: the flag-value parser (numbers, choices, vectors and matrices) and validation.
#include <cstddef>
#include <cstdint>

#include "fuzz_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  relusim::fuzz::flag_values(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
