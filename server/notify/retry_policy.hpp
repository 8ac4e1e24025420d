#pragma once

#include <chrono>
#include <string>

#include "server/notify/notification.hpp"

// When a notification that failed is tried again, and when it is given up
// (the dead letter). Pure; the delivery worker applies it with its clock.
namespace openmps::server::notify {

struct RetryPolicy {
  int maxAttempts = 8;                     // then dead
  std::chrono::seconds firstDelay{60};     // after the first failure
  std::chrono::seconds maxDelay{60 * 60};  // doubling stops here
};

// The wait after the n-th failed attempt (n >= 1): first, 2x, 4x, ... max.
std::chrono::seconds retryDelay(const RetryPolicy& policy, int failedAttempts);

enum class NextStep { kDone, kRetry, kDead };

struct Decision {
  NextStep step = NextStep::kDone;
  std::chrono::system_clock::time_point nextAttemptAt;  // kRetry only
};

// What follows an attempt that ended with `result`; `attempts` counts this
// one. A permanent refusal is dead at once: sending it again cannot help.
Decision decide(const RetryPolicy& policy, int attempts, SendStatus result,
                std::chrono::system_clock::time_point now);

}  // namespace openmps::server::notify
