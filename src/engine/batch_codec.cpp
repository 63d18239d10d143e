// A batch's result as exact bytes (engine/batch_codec.hpp).
#include "relusim/engine/batch_codec.hpp"

#include <cstring>

namespace relusim {
namespace codec {

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}
namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}
void put_i64(std::string& out, std::int64_t v) {
  put_u64(out, static_cast<std::uint64_t>(v));
}
void put_f64(std::string& out, double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  put_u64(out, bits);
}

/// Reads little-endian numbers from a byte range; a read past the end throws BatchFormatError.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  std::uint64_t u64() { return get(8); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(get(4)); }
  std::int64_t i64() { return static_cast<std::int64_t>(get(8)); }
  double f64() {
    const std::uint64_t bits = get(8);
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  std::size_t left() const { return bytes_.size() - pos_; }

 private:
  std::uint64_t get(int n) {
    if (left() < static_cast<std::size_t>(n)) throw BatchFormatError("batch record too short");
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
      v |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
    pos_ += static_cast<std::size_t>(n);
    return v;
  }
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace
}  // namespace codec

using codec::put_f64;
using codec::put_i64;
using codec::put_u32;
using codec::put_u64;
using codec::Reader;

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h) {
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

/// An exact sum as its significant limbs only: the index of the lowest non-zero limb and the
/// count of limbs from there up to where the rest is the sign's fill (all 0 or all 1 bits), then
/// those limbs. A sum of doubles of one scale spans a few of the 34 limbs (a batch record of
/// Kong's cells measured 341 bytes with this, 2109 with every limb).
namespace {

void put_exact_sum(std::string& out, const ExactSum& s) {
  constexpr int n = ExactSum::kLimbs;
  auto fill = [](std::uint64_t below) { return (below >> 63) != 0u ? ~std::uint64_t{0} : 0u; };
  int lo = 0;
  while (lo < n && s.limb[lo] == 0u)
    ++lo;
  int hi = n;  // limbs [hi, n) equal the fill of limb hi - 1
  while (hi > lo + 1 && s.limb[hi - 1] == fill(s.limb[hi - 2]))
    --hi;
  if (lo == n) hi = n;  // zero: no limbs
  put_u32(out, static_cast<std::uint32_t>(lo));
  put_u32(out, static_cast<std::uint32_t>(hi - lo));
  for (int i = lo; i < hi; ++i)
    put_u64(out, s.limb[i]);
}

}  // namespace

std::string encode_batch(std::size_t batch, const BatchResult& r) {
  std::string out;
  out.reserve(256 + r.records.size() * 96 + r.final_weights.size() * 8);
  put_u64(out, batch);
  const CellTally& t = r.tally;
  put_i64(out, t.trials);
  for (std::int64_t c : t.counts)
    put_i64(out, c);
  for (std::int64_t c : t.flag_counts)
    put_i64(out, c);
  put_i64(out, t.steps_to_converge_sum);
  for (const ExactSum& s : t.slot_sums)
    put_exact_sum(out, s);
  for (std::int64_t c : t.slot_counts)
    put_i64(out, c);
  put_u64(out, r.records.size());
  for (const TrajectoryRecord& rec : r.records) {
    put_u32(out, rec.id);
    put_u32(out, static_cast<std::uint32_t>(rec.outcome));
    put_u32(out, rec.flags);
    put_i64(out, rec.steps);
    put_i64(out, rec.steps_to_converge);
    for (double s : rec.slot)
      put_f64(out, s);
  }
  put_u64(out, r.final_weights.size());
  for (double w : r.final_weights)
    put_f64(out, w);
  return out;
}

std::size_t decode_batch(std::string_view bytes, BatchResult& r) {
  Reader in(bytes);
  const std::uint64_t batch = in.u64();
  r = BatchResult{};
  CellTally& t = r.tally;
  t.trials = in.i64();
  for (std::int64_t& c : t.counts)
    c = in.i64();
  for (std::int64_t& c : t.flag_counts)
    c = in.i64();
  t.steps_to_converge_sum = in.i64();
  for (ExactSum& s : t.slot_sums) {
    const std::uint32_t lo = in.u32(), count = in.u32();
    if (lo > static_cast<std::uint32_t>(ExactSum::kLimbs) ||
        count > static_cast<std::uint32_t>(ExactSum::kLimbs) - lo)
      throw BatchFormatError("batch record: bad sum");
    for (std::uint32_t i = 0; i < count; ++i)
      s.limb[lo + i] = in.u64();
    const std::uint64_t fill =
        count > 0 && (s.limb[lo + count - 1] >> 63) != 0u ? ~std::uint64_t{0} : 0u;
    for (std::uint32_t i = lo + count; i < static_cast<std::uint32_t>(ExactSum::kLimbs); ++i)
      s.limb[i] = fill;
  }
  for (std::int64_t& c : t.slot_counts)
    c = in.i64();
  const std::uint64_t n = in.u64();
  constexpr std::size_t kRecordBytes = 4 + 4 + 4 + 8 + 8 + 8 * kRecordSlots;
  if (n > in.left() / kRecordBytes) throw BatchFormatError("batch record: bad record count");
  r.records.resize(n);
  for (TrajectoryRecord& rec : r.records) {
    rec.id = in.u32();
    const std::uint32_t o = in.u32();
    if (o >= static_cast<std::uint32_t>(kOutcomeCount))
      throw BatchFormatError("batch record: bad outcome");
    rec.outcome = static_cast<Outcome>(o);
    rec.flags = in.u32();
    rec.steps = in.i64();
    rec.steps_to_converge = in.i64();
    for (double& s : rec.slot)
      s = in.f64();
  }
  const std::uint64_t w = in.u64();
  if (w > in.left() / 8) throw BatchFormatError("batch record: bad weight count");
  r.final_weights.resize(w);
  for (double& x : r.final_weights)
    x = in.f64();
  if (in.left() != 0) throw BatchFormatError("batch record: trailing bytes");
  return static_cast<std::size_t>(batch);
}

}  // namespace relusim
