#include "server/notify/retry_policy.hpp"

#include <algorithm>

namespace openmps::server::notify {

std::chrono::seconds retryDelay(const RetryPolicy& policy, int failedAttempts) {
  std::chrono::seconds delay = policy.firstDelay;
  for (int i = 1; i < failedAttempts && delay < policy.maxDelay; ++i) {
    delay *= 2;
  }
  return std::min(delay, policy.maxDelay);
}

Decision decide(const RetryPolicy& policy, int attempts, SendStatus result,
                std::chrono::system_clock::time_point now) {
  if (result == SendStatus::kSent) {
    return {NextStep::kDone, {}};
  }
  if (result == SendStatus::kPermanent || attempts >= policy.maxAttempts) {
    return {NextStep::kDead, {}};
  }
  return {NextStep::kRetry, now + retryDelay(policy, attempts)};
}

}  // namespace openmps::server::notify
