#include "shared/util/log_throttle.hpp"

#include <utility>

namespace openmps::util {

LogThrottle::LogThrottle(const Clock& clock, std::chrono::seconds window, std::size_t perWindow)
    : clock_(clock), window_(window), perWindow_(perWindow) {}

std::optional<std::size_t> LogThrottle::admit() {
  const std::lock_guard lock(mutex_);
  const auto now = clock_.monotonic();
  if (!started_ || now - windowStart_ >= window_) {
    started_ = true;
    windowStart_ = now;
    written_ = 0;
  }
  if (written_ >= perWindow_) {
    ++skipped_;
    return std::nullopt;
  }
  ++written_;
  return std::exchange(skipped_, 0);
}

std::string suppressedNote(std::size_t skipped) {
  if (skipped == 0) return {};
  return " (" + std::to_string(skipped) + " similar lines left out)";
}

}  // namespace openmps::util
