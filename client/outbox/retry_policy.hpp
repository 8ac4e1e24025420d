#pragma once

#include <chrono>

namespace openmps::client::outbox {

// Exponential backoff with jitter for batches the server could not take.
// The jitter spreads a fleet of clients that lost the server at the same
// moment, so they do not all come back in the same second.
struct RetryPolicy {
  std::chrono::milliseconds initial{std::chrono::seconds{10}};
  std::chrono::milliseconds max{std::chrono::minutes{30}};
  double factor = 2.0;

  // failures: how many attempts failed so far (1 after the first failure).
  // random01: uniform in [0, 1). The delay is uniform in [base/2, base]
  // with base = min(initial * factor^(failures-1), max): never zero, never
  // more than max.
  std::chrono::milliseconds delayAfter(int failures, double random01) const;
};

}  // namespace openmps::client::outbox
