#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

#include "shared/util/clock.hpp"

namespace openmps::util {

// Rate-limited logging for what an attacker can trigger at will (cut
// connections, refusals): at most `perWindow` lines per `window`; the rest
// are counted, and the next line that may be written says how many were
// left out. Thread-safe.
//   if (auto skipped = throttle.admit()) logWarning("x") << "..." << suppressedNote(*skipped);
class LogThrottle {
 public:
  LogThrottle(const Clock& clock, std::chrono::seconds window, std::size_t perWindow);

  // nullopt: do not log this one. Otherwise how many were left out since
  // the last line written.
  std::optional<std::size_t> admit();

 private:
  const Clock& clock_;
  std::chrono::seconds window_;
  std::size_t perWindow_;
  std::mutex mutex_;
  Clock::MonoTime windowStart_{};
  bool started_ = false;
  std::size_t written_ = 0;
  std::size_t skipped_ = 0;
};

// "" for 0, else " (N similar lines left out)".
std::string suppressedNote(std::size_t skipped);

}  // namespace openmps::util
