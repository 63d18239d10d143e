// libFuzzer target: the sweep-file reader (TOML, the grid, every key's type and range).
#include <cstddef>
#include <cstdint>

#include "fuzz_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  relusim::fuzz::sweep_text(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
