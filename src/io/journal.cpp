#include "relusim/io/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>
#include <algorithm>

namespace relusim {
namespace {

// 2: tallies count their slots' values; 3: eight record slots; 4: ten.
constexpr char kMagic[4] = {'R', 'S', 'J', '4'};
constexpr std::size_t kFrame = 4 + 1 + 8;  // magic, type, length

std::uint64_t record_checksum(char type, std::uint64_t length, std::string_view payload) {
  std::string head(1, type);
  codec::put_u64(head, length);
  return fnv1a64(payload, fnv1a64(head));
}

/// A failed system call on the journal: the environment failed (disk full, permissions), not the
/// input, so std::runtime_error (exit code 1), not JournalError.
[[noreturn]] void fail_errno(const std::string& what, const std::string& path) {
  throw std::runtime_error(what + " '" + path + "': " + std::strerror(errno));
}

void sync_directory_of(const std::string& path) {
  const std::filesystem::path dir = std::filesystem::absolute(path).parent_path();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: the file itself is synced
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

JournalContents read_journal(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail_errno("cannot read the journal", path);
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) fail_errno("cannot read the journal", path);
  JournalContents j;
  if (bytes.size() >= 4 && std::memcmp(bytes.data(), "RSJ", 3) == 0 && bytes[3] != kMagic[3])
    throw JournalError("'" + path + "' was written by another version of relusim (journal format " +
                       std::string(bytes.data(), 4) + ", this relusim writes " +
                       std::string(kMagic, 4) + "): finish it with that version, or start anew");
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const std::string at = " at byte " + std::to_string(pos);
    if (bytes.size() - pos < kFrame) {
      j.damage = "an incomplete record" + at + " (a write was cut off)";
      break;
    }
    if (std::memcmp(bytes.data() + pos, kMagic, 4) != 0) {
      if (pos == 0) throw JournalError("'" + path + "' is not a relusim journal");
      j.damage = "no record" + at;
      break;
    }
    const char type = bytes[pos + 4];
    std::uint64_t length = 0;
    for (int i = 0; i < 8; ++i)
      length |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[pos + 5 + i]))
                << (8 * i);
    if (length > bytes.size() - pos - kFrame || bytes.size() - pos - kFrame - length < 8) {
      j.damage = "an incomplete record" + at + " (a write was cut off)";
      break;
    }
    const std::string_view payload(bytes.data() + pos + kFrame, length);
    std::uint64_t sum = 0;
    for (int i = 0; i < 8; ++i)
      sum |=
          static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[pos + kFrame + length + i]))
          << (8 * i);
    if (sum != record_checksum(type, length, payload)) {
      j.damage = "a record whose checksum does not match" + at;
      break;
    }
    if (pos == 0) {
      if (type != 'H') throw JournalError("'" + path + "' does not start with a header");
      try {
        j.header = nlohmann::json::parse(payload);
      } catch (const nlohmann::json::exception&) {
        throw JournalError("'" + path + "' has an unreadable header");
      }
    } else if (type == 'B') {
      BatchResult r;
      try {
        const std::size_t b = decode_batch(payload, r);
        j.batches.emplace_back(b, std::move(r));
      } catch (const BatchFormatError& e) {
        j.damage = std::string(e.what()) + at;
        break;
      }
    } else {
      j.damage = "a record of unknown type" + at;
      break;
    }
    pos += kFrame + length + 8;
    j.good_bytes = pos;
  }
  if (j.good_bytes == 0) {
    // The header is written whole before the journal gets its name (JournalWriter::create), so
    // a journal without a whole header is damaged, not cut off: refuse it rather than start
    // again from zero, which would throw finished work away.
    throw JournalError("the header of the journal '" + path + "' is damaged (" +
                       (j.damage.empty() ? std::string("the file is empty") : j.damage) +
                       "): it cannot be resumed; restore it, or start anew in another --out (or "
                       "with --force)");
  }
  return j;
}

JournalWriter JournalWriter::create(const std::string& path, const nlohmann::json& header) {
  // The header is written and synced under a temporary name, which is then renamed: a journal
  // always starts with a whole header, so a damaged one is known for damage (read_journal).
  const std::string fresh = path + ".new";
  const int fd = ::open(fresh.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_errno("cannot create the journal", fresh);
  JournalWriter w(path, fd);
  w.write_record('H', header.dump());
  if (::rename(fresh.c_str(), path.c_str()) != 0) fail_errno("cannot create the journal", path);
  sync_directory_of(path);
  return w;
}

JournalWriter JournalWriter::reopen(const std::string& path, std::uint64_t good_bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail_errno("cannot open the journal", path);
  JournalWriter w(path, fd);
  if (::ftruncate(fd, static_cast<off_t>(good_bytes)) != 0 || ::lseek(fd, 0, SEEK_END) < 0 ||
      ::fsync(fd) != 0)
    fail_errno("cannot repair the journal", path);
  return w;
}

JournalWriter::JournalWriter(JournalWriter&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_) {
  other.fd_ = -1;
}

JournalWriter& JournalWriter::operator=(JournalWriter&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void JournalWriter::append(std::size_t batch, const BatchResult& result) {
  write_record('B', encode_batch(batch, result));
}

void JournalWriter::write_record(char type, std::string_view payload) {
  std::string rec(kMagic, 4);
  rec.push_back(type);
  codec::put_u64(rec, payload.size());
  rec.append(payload);
  codec::put_u64(rec, record_checksum(type, payload.size(), payload));
  std::size_t done = 0;
  while (done < rec.size()) {
    const ssize_t n = ::write(fd_, rec.data() + done, rec.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("cannot write the journal", path_);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd_) != 0) fail_errno("cannot sync the journal", path_);
}

nlohmann::json header_identity(const nlohmann::json& header) {
  nlohmann::json id = header;
  if (id.is_object()) {
    id.erase("shard");
    id.erase("report");
  }
  return id;
}

std::vector<std::string> header_differences(const nlohmann::json& here_header,
                                            const nlohmann::json& there_header,
                                            const std::string& here_label,
                                            const std::string& there_label) {
  const nlohmann::json here = header_identity(here_header);
  const nlohmann::json there = header_identity(there_header);
  std::vector<std::string> out;
  if (!here.is_object() || !there.is_object()) {
    if (here != there) out.push_back("the headers are not comparable");
    return out;
  }
  auto both = [&](const nlohmann::json& a, const nlohmann::json& b) {
    return (a.is_null() ? std::string("(none)") : a.dump()) + " in " + here_label + ", " +
           (b.is_null() ? std::string("(none)") : b.dump()) + " in " + there_label;
  };
  std::set<std::string> keys;
  for (const auto& [k, v] : here.items())
    keys.insert(k);
  for (const auto& [k, v] : there.items())
    keys.insert(k);
  for (const std::string& k : keys) {
    const nlohmann::json a = here.value(k, nlohmann::json());
    const nlohmann::json b = there.value(k, nlohmann::json());
    if (a == b) continue;
    if (k == "cells" && a.is_array() && b.is_array()) {
      if (a.size() != b.size()) {
        out.push_back("number of cells: " + std::to_string(a.size()) + " in " + here_label + ", " +
                      std::to_string(b.size()) + " in " + there_label);
        continue;
      }
      // One line per differing (key, value here, value there), naming its cells.
      std::vector<std::pair<std::string, std::vector<std::size_t>>> lines;
      for (std::size_t c = 0; c < a.size(); ++c) {
        if (a[c] == b[c]) continue;
        std::set<std::string> ck;
        for (const auto& [kk, vv] : a[c].items())
          ck.insert(kk);
        for (const auto& [kk, vv] : b[c].items())
          ck.insert(kk);
        for (const std::string& kk : ck) {
          const nlohmann::json x = a[c].value(kk, nlohmann::json());
          const nlohmann::json y = b[c].value(kk, nlohmann::json());
          if (x == y) continue;
          const std::string line = kk + ": " + both(x, y);
          auto it = std::find_if(lines.begin(), lines.end(),
                                 [&](const auto& l) { return l.first == line; });
          if (it == lines.end()) {
            lines.push_back({line, {c}});
          } else {
            it->second.push_back(c);
          }
        }
      }
      for (std::size_t i = 0; i < lines.size() && i < 8; ++i) {
        const auto& cs = lines[i].second;
        std::string which = cs.size() == a.size() ? std::string("every cell")
                                                  : (cs.size() == 1 ? "cell " : "cells ");
        if (cs.size() != a.size())
          for (std::size_t j = 0; j < cs.size() && j < 6; ++j)
            which +=
                (j ? ", " : "") + std::to_string(cs[j]) + (j == 5 && cs.size() > 6 ? ", ..." : "");
        out.push_back(which + ", " + lines[i].first);
      }
      continue;
    }
    out.push_back(k + ": " + both(a, b));
  }
  return out;
}

}  // namespace relusim
