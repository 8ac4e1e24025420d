#include "client/outbox/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace openmps::client::outbox {

std::chrono::milliseconds RetryPolicy::delayAfter(int failures, double random01) const {
  const double maxMs = static_cast<double>(max.count());
  double base = static_cast<double>(initial.count());
  for (int i = 1; i < failures && base < maxMs; ++i) {
    base *= factor;
  }
  base = std::min(base, maxMs);
  const double r = std::clamp(random01, 0.0, 1.0);
  return std::chrono::milliseconds{
      static_cast<std::int64_t>(std::llround(base / 2 + r * base / 2))};
}

}  // namespace openmps::client::outbox
