// A batch's result as exact bytes: the payload of the journal's batch records (io/journal.hpp)
// and of the MPI messages between ranks (engine/world.hpp). Integers little-endian, doubles as
// their IEEE bits, each exact sum as its significant limbs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "relusim/engine/backend.hpp"

namespace relusim {

/// Bytes that are not an encoded batch (too short, a bad count, trailing bytes).
class BatchFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// FNV-1a 64 of `bytes`, continuing from `h` (the journal's checksums, the inputs' hashes).
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h = 14695981039346656037ull);

/// One batch's result as exact bytes.
std::string encode_batch(std::size_t batch, const BatchResult& result);
/// The inverse; throws BatchFormatError on bytes that are not an encoded batch.
std::size_t decode_batch(std::string_view bytes, BatchResult& result);

namespace codec {
/// Appends v as 8 little-endian bytes.
void put_u64(std::string& out, std::uint64_t v);
}  // namespace codec

}  // namespace relusim
