// The pieces of scale-out (docs/scale-out.md) on their own: parts of a plan, results assembled
// from any split, the journal's exact encoding, its detection of torn and damaged records, and
// the naming of what differs between two runs. The end-to-end checks (MPI ranks, shards and
// merge, kill -9 and resume, against one process) are tests/scale_out_test.sh.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include "relusim/io/job.hpp"
#include "relusim/io/journal.hpp"
#include "relusim/io/report.hpp"
#include "conformance_cases.hpp"
#include "test_helpers.hpp"

namespace relusim {
namespace {

template <class M = ModelA>
std::vector<CellConfig> uneven_cells() {
  std::vector<CellConfig> cells = testing::conformance_cells<M>();
  for (std::size_t c = 0; c < cells.size(); ++c)
    cells[c].trials = static_cast<std::int64_t>(5 + 13 * c);  // uneven batches under a cap of 8
  return cells;
}

TEST(ScaleOut, PartsCoverEveryBatchOnce) {
  const SweepPlan plan = make_plan(uneven_cells(), 8);
  for (int count = 1; count <= 7; ++count) {
    std::vector<int> seen(plan.batches.size(), 0);
    for (int k = 1; k <= count; ++k)
      for (std::size_t b : part_batches(plan, {k, count}))
        ++seen[b];
    for (int s : seen)
      EXPECT_EQ(s, 1) << count << " parts";
  }
  EXPECT_THROW(part_batches(plan, {0, 3}), ConfigError);
  EXPECT_THROW(part_batches(plan, {4, 3}), ConfigError);
}

template <class M>
class ScaleOutModels : public ::testing::Test {};
using Models = testing::AllModels;  // the one list (models/list.hpp)
TYPED_TEST_SUITE(ScaleOutModels, Models);

TYPED_TEST(ScaleOutModels, AnySplitAssemblesToTheSameSummary) {
  // Parts run by different backends (thread counts), in any order: the same summary.csv, byte
  // for byte, as one run of the whole plan.
  const SweepPlan plan = make_plan(uneven_cells<TypeParam>(), 8);
  auto one = make_cpu_backend(1);
  const std::string reference = summary_csv(plan.cells, run_plan(plan, *one, DriverOptions{}));
  for (int count : {2, 3, 5}) {
    std::vector<std::optional<BatchResult>> per_batch(plan.batches.size());
    for (int k = count; k >= 1; --k) {  // last part first
      auto backend = make_cpu_backend(k % 2 + 1);
      run_batches(plan, part_batches(plan, {k, count}), *backend, false, false,
                  [&](std::size_t b, BatchResult&& r) {
                    ASSERT_FALSE(per_batch[b].has_value());
                    per_batch[b] = std::move(r);
                  });
    }
    EXPECT_EQ(summary_csv(plan.cells, assemble(plan, std::move(per_batch))), reference)
        << count << " parts";
  }
}

TEST(ScaleOut, AssembleRefusesAMissingBatch) {
  const SweepPlan plan = make_plan(uneven_cells(), 8);
  std::vector<std::optional<BatchResult>> per_batch(plan.batches.size());
  EXPECT_THROW(assemble(plan, std::move(per_batch)), std::logic_error);
}

TEST(ScaleOut, RunBatchesStopsBetweenGroups) {
  const SweepPlan plan = make_plan(uneven_cells(), 8);
  auto backend = make_cpu_backend(1);
  std::vector<std::size_t> all(plan.batches.size());
  for (std::size_t b = 0; b < all.size(); ++b)
    all[b] = b;
  int asked = 0;
  std::size_t got = 0;
  const bool complete = run_batches(
      plan, all, *backend, false, false, [&](std::size_t, BatchResult&&) { ++got; },
      [&] { return ++asked > 2; });
  EXPECT_FALSE(complete);
  const std::vector<LaunchGroup> groups = group_batches(plan, all);
  EXPECT_EQ(got, groups[0].batches.size() + groups[1].batches.size());
}

BatchResult sample_result() {
  BatchResult r;
  r.tally.trials = 3;
  r.tally.counts[0] = 2;
  r.tally.counts[4] = 1;
  r.tally.flag_counts[5] = 7;
  r.tally.steps_to_converge_sum = -12345678901234;
  r.tally.slot_sums[0].add(0.1 + 0.2);
  r.tally.slot_sums[1].add(-1e300);  // a negative sum: two's complement in every limb
  r.tally.slot_sums[2].add(std::numeric_limits<double>::max());
  r.tally.slot_sums[3].add(std::numeric_limits<double>::denorm_min());
  r.tally.slot_sums[4].add(-0.0);
  r.tally.slot_sums[5].add(std::ldexp(1.0, 63 - 1074));  // positive, top bit of limb 0 set
  r.tally.slot_sums[6].add(-std::numeric_limits<double>::denorm_min());  // every bit set
  r.tally.slot_counts[3] = 5;
  for (std::uint32_t i = 0; i < 3; ++i) {
    TrajectoryRecord rec;
    rec.id = 4000000000u + i;
    rec.outcome = i == 2 ? Outcome::undecided : Outcome::converged;
    rec.flags = 0x2au + i;
    rec.steps = 20000 + i;
    rec.steps_to_converge = i == 2 ? -1 : 100 * i;
    for (int s = 0; s < kRecordSlots; ++s)
      rec.slot[s] = std::ldexp(1.0 + s, -static_cast<int>(i) * 300);
    r.records.push_back(rec);
  }
  r.final_weights = {1e-300, -2.5, std::nextafter(1.0, 2.0)};
  return r;
}

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

void expect_identical(const BatchResult& a, const BatchResult& b) {
  EXPECT_EQ(a.tally.trials, b.tally.trials);
  for (int o = 0; o < kOutcomeCount; ++o)
    EXPECT_EQ(a.tally.counts[o], b.tally.counts[o]);
  for (int f = 0; f < kRecordFlags; ++f)
    EXPECT_EQ(a.tally.flag_counts[f], b.tally.flag_counts[f]);
  EXPECT_EQ(a.tally.steps_to_converge_sum, b.tally.steps_to_converge_sum);
  for (int s = 0; s < kRecordSlots; ++s) {
    EXPECT_TRUE(a.tally.slot_sums[s] == b.tally.slot_sums[s]) << "slot " << s;
    EXPECT_EQ(a.tally.slot_counts[s], b.tally.slot_counts[s]) << "slot " << s;
  }
  ASSERT_EQ(a.records.size(), b.records.size());
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(a.records[i].id, b.records[i].id);
    EXPECT_EQ(a.records[i].outcome, b.records[i].outcome);
    EXPECT_EQ(a.records[i].flags, b.records[i].flags);
    EXPECT_EQ(a.records[i].steps, b.records[i].steps);
    EXPECT_EQ(a.records[i].steps_to_converge, b.records[i].steps_to_converge);
    for (int s = 0; s < kRecordSlots; ++s)
      EXPECT_TRUE(same_bits(a.records[i].slot[s], b.records[i].slot[s]));
  }
  ASSERT_EQ(a.final_weights.size(), b.final_weights.size());
  for (std::size_t i = 0; i < a.final_weights.size(); ++i)
    EXPECT_TRUE(same_bits(a.final_weights[i], b.final_weights[i]));
}

TEST(Journal, BatchEncodingIsExact) {
  const BatchResult r = sample_result();
  const std::string bytes = encode_batch(123456789012ull, r);
  BatchResult back;
  EXPECT_EQ(decode_batch(bytes, back), 123456789012ull);
  expect_identical(back, r);
  // Every proper prefix and a trailing byte are refused, not misread.
  for (std::size_t n = 0; n < bytes.size(); n += 7)
    EXPECT_THROW(decode_batch(std::string_view(bytes).substr(0, n), back), BatchFormatError) << n;
  EXPECT_THROW(decode_batch(bytes + "x", back), BatchFormatError);
}

TEST(Journal, FnvMatchesPublishedVectors) {
  // FNV-1a 64 test vectors (Fowler, Noll, Vo).
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
}

class JournalFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("relusim_journal_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "journal.rsj").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string read_bytes() const {
    std::ifstream f(path_, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  }
  void write_bytes(const std::string& b) const {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << b;
  }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(JournalFile, WrittenRecordsReadBack) {
  const nlohmann::json header = {{"format", "test"}, {"cells", {1, 2, 3}}};
  {
    JournalWriter w = JournalWriter::create(path_, header);
    for (std::size_t b : {4u, 0u, 9u})
      w.append(b, sample_result());
  }
  const JournalContents j = read_journal(path_);
  EXPECT_EQ(j.header, header);
  EXPECT_TRUE(j.damage.empty());
  EXPECT_EQ(j.good_bytes, read_bytes().size());
  ASSERT_EQ(j.batches.size(), 3u);
  EXPECT_EQ(j.batches[0].first, 4u);
  EXPECT_EQ(j.batches[1].first, 0u);
  EXPECT_EQ(j.batches[2].first, 9u);
  expect_identical(j.batches[2].second, sample_result());
}

TEST_F(JournalFile, ATornLastRecordIsCutAtEveryByte) {
  {
    JournalWriter w = JournalWriter::create(path_, {{"format", "test"}});
    w.append(1, sample_result());
  }
  const std::uint64_t one = read_bytes().size();
  {
    JournalWriter w = JournalWriter::reopen(path_, one);
    w.append(2, sample_result());
  }
  const std::string full = read_bytes();
  // A write cut off anywhere inside the second record: the first survives, the second is
  // reported and cut off, and appending after the cut gives a whole journal again.
  for (std::size_t cut = one; cut < full.size(); cut += 5) {
    write_bytes(full.substr(0, cut));
    const JournalContents j = read_journal(path_);
    ASSERT_EQ(j.batches.size(), 1u) << cut;
    EXPECT_EQ(j.good_bytes, one) << cut;
    EXPECT_EQ(j.damage.empty(), cut == one) << cut;
  }
  write_bytes(full.substr(0, full.size() - 3));
  {
    JournalWriter w = JournalWriter::reopen(path_, read_journal(path_).good_bytes);
    w.append(3, sample_result());
  }
  const JournalContents j = read_journal(path_);
  EXPECT_TRUE(j.damage.empty());
  ASSERT_EQ(j.batches.size(), 2u);
  EXPECT_EQ(j.batches[1].first, 3u);
}

TEST_F(JournalFile, AFlippedByteIsCaughtByTheChecksum) {
  {
    JournalWriter w = JournalWriter::create(path_, {{"format", "test"}});
    w.append(1, sample_result());
    w.append(2, sample_result());
  }
  const std::string full = read_bytes();
  const std::uint64_t whole = read_journal(path_).good_bytes;
  ASSERT_EQ(whole, full.size());
  int caught = 0, tried = 0;
  for (std::size_t at = full.size() / 2; at < full.size(); at += 3) {
    std::string bad = full;
    bad[at] = static_cast<char>(bad[at] ^ 0x10);
    write_bytes(bad);
    const JournalContents j = read_journal(path_);
    ++tried;
    caught += !j.damage.empty() && j.good_bytes < full.size() ? 1 : 0;
  }
  EXPECT_EQ(caught, tried);
}

TEST_F(JournalFile, NotAJournalIsRefused) {
  write_bytes("summary.csv,looks,like,this\n");
  EXPECT_THROW(read_journal(path_), JournalError);
  // The header is renamed into place whole, so an empty journal is damage, never a kill.
  write_bytes("");
  EXPECT_THROW(read_journal(path_), JournalError);
}

TEST_F(JournalFile, ADamagedHeaderIsRefusedNotRestarted) {
  {
    JournalWriter w = JournalWriter::create(path_, {{"format", "test"}});
    w.append(1, sample_result());
  }
  const std::string full = read_bytes();
  // The header record comes first: magic (4), type (1), length (8, little-endian), payload,
  // checksum (8).
  std::size_t length = 0;
  for (int i = 0; i < 8; ++i)
    length |= static_cast<std::size_t>(static_cast<unsigned char>(full[5 + i])) << (8 * i);
  const std::size_t header_end = 13 + length + 8;
  ASSERT_LT(header_end, full.size());
  // Every flipped byte of the first record, and every cut inside it, is refused: resuming from
  // zero would silently throw the finished batches after it away.
  for (std::size_t at = 0; at < header_end; ++at) {
    std::string bad = full;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    write_bytes(bad);
    EXPECT_THROW(read_journal(path_), JournalError) << "flipped byte " << at;
    write_bytes(full.substr(0, at));
    EXPECT_THROW(read_journal(path_), JournalError) << "cut at " << at;
  }
  // No half-written journal is ever visible under the final name: create() renames it in.
  EXPECT_FALSE(std::filesystem::exists(path_ + ".new"));
}

TEST(Journal, DifferencesNameTheFieldAndTheCells) {
  SweepPlan plan = make_plan(uneven_cells(), 8);
  JobSource source;
  const nlohmann::json a = job_header(plan, source, "cpu", {1, 3}, false);
  EXPECT_TRUE(header_differences(a, a).empty());
  // Another shard of the same run, and another report, are the same run.
  JobSource other_source = source;
  other_source.file = "elsewhere.toml";
  EXPECT_TRUE(header_differences(a, job_header(plan, other_source, "cpu", {2, 3}, false)).empty());
  EXPECT_EQ(job_fingerprint(a),
            job_fingerprint(job_header(plan, other_source, "cpu", {2, 3}, false)));

  std::vector<CellConfig> cells = uneven_cells();
  cells[2].of<ModelACell>().lambda = 0.5;
  const nlohmann::json b = job_header(make_plan(cells, 8), source, "cuda", {1, 3}, false);
  const std::vector<std::string> d = header_differences(a, b, "A", "B");
  std::set<std::string> lines(d.begin(), d.end());
  EXPECT_EQ(lines.count("backend: \"cpu\" in A, \"cuda\" in B"), 1u) << ::testing::PrintToString(d);
  bool named_lambda = false;
  for (const std::string& l : d)
    named_lambda = named_lambda ||
                   (l.rfind("cell 2, lambda: ", 0) == 0 && l.find("0.5 in B") != std::string::npos);
  EXPECT_TRUE(named_lambda) << ::testing::PrintToString(d);
  EXPECT_NE(job_fingerprint(a), job_fingerprint(b));
}

}  // namespace
}  // namespace relusim
