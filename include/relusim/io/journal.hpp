// The sweep journal (docs/scale-out.md): an append-only file in --out DIR with one checksummed
// record per completed batch, flushed and synced before the next batch is counted as done, so a
// sweep killed at any moment (kill -9, power loss, wall-time limit) resumes with only the
// missing batches and ends with the same summary. A shard's journal is its partial result.
//
// File: records back to back. A record is the magic "RSJ4", a type byte ('H' header, 'B'
// batch), the payload length (u64), the payload and an FNV-1a 64 checksum of type, length and
// payload (u64); integers little-endian, doubles as their IEEE bits. The first record is the
// header (the JSON fingerprint of the run); each batch record holds the batch's index into the
// plan, its tally and, when the run keeps them, its trajectory records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "relusim/engine/backend.hpp"
#include "relusim/engine/batch_codec.hpp"  // the batch records' payload

namespace relusim {

/// A journal that cannot be used: not a journal, another run's, unreadable (exit code 2).
class JournalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What a journal holds, up to its first incomplete or damaged record.
struct JournalContents {
  nlohmann::json header;
  std::vector<std::pair<std::size_t, BatchResult>> batches;  ///< in file order
  std::uint64_t good_bytes = 0;                              ///< length of the valid prefix
  std::string damage;  ///< what is wrong at good_bytes; empty when the file is whole
};

/// Reads a journal; throws JournalError when the file cannot be read or has no valid header.
JournalContents read_journal(const std::string& path);

/// Appends records to a journal; every append is written with one write and synced.
class JournalWriter {
 public:
  /// Creates (or replaces) `path` holding only `header`, synced with its directory.
  static JournalWriter create(const std::string& path, const nlohmann::json& header);
  /// Opens an existing journal after cutting it to its first `good_bytes` (a torn tail).
  static JournalWriter reopen(const std::string& path, std::uint64_t good_bytes);
  JournalWriter(JournalWriter&& other) noexcept;
  JournalWriter& operator=(JournalWriter&& other) noexcept;
  JournalWriter(const JournalWriter&) = delete;
  ~JournalWriter();
  void append(std::size_t batch, const BatchResult& result);
  const std::string& path() const { return path_; }

 private:
  JournalWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  void write_record(char type, std::string_view payload);
  std::string path_;
  int fd_ = -1;
};

/// The fields of a journal header that must agree for two runs to share results (all but the
/// `shard` and `report` entries, which say which part a file holds and how to print it).
nlohmann::json header_identity(const nlohmann::json& header);

/// What differs between the identities of two headers, one readable line each, naming the field
/// (and for cells, the cell and key) with both values labelled; empty when they agree.
std::vector<std::string> header_differences(const nlohmann::json& here, const nlohmann::json& there,
                                            const std::string& here_label = "this run",
                                            const std::string& there_label = "the journal");

}  // namespace relusim
