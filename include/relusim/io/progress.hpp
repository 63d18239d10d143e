// A progress bar on stderr for long runs: done/total, elapsed time and an estimate of the rest.
#pragma once

#include <chrono>
#include <cstdint>
#include <iomanip>
#include <ostream>
#include <string>

namespace relusim {

class ProgressBar {
 public:
  ProgressBar(std::ostream& os, bool enabled)
      : os_(&os), enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

  void update(std::int64_t done, std::int64_t total) {
    if (!enabled_ || total <= 0) return;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double frac = static_cast<double>(done) / static_cast<double>(total);
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    *os_ << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
         << std::string(static_cast<std::size_t>(kWidth - filled), '.') << "] " << done << "/"
         << total << " trajectories  " << std::fixed << std::setprecision(1) << elapsed << " s";
    if (done > 0 && done < total) *os_ << "  ~" << elapsed * (1.0 / frac - 1.0) << " s left";
    *os_ << "   " << std::flush;
    shown_ = true;
  }

  void finish() {
    if (shown_) *os_ << '\n';
    shown_ = false;
  }

 private:
  std::ostream* os_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace relusim
