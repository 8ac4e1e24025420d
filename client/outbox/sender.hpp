#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "client/carrier/carrier.hpp"
#include "client/outbox/outbox.hpp"
#include "client/outbox/retry_policy.hpp"
#include "shared/util/clock.hpp"

// Moves sealed batches from the outbox to a carrier, one step at a time, and
// records what became of each: confirmed (its readings leave), deferred with
// backoff and jitter, or set aside as rejected. Pure logic over the Outbox
// and Carrier interfaces and an injected clock.
namespace openmps::client::outbox {

struct SenderSettings {
  std::chrono::seconds sendInterval{std::chrono::minutes{15}};
  std::size_t maxBatchItems = 500;
  RetryPolicy retry;
};

enum class SendOutcome {
  kIdle,       // nothing to send now (or nothing due under the send policy)
  kWaiting,    // the next batch waits for its retry time (retryAt)
  kDelivered,  // a batch was confirmed
  kFailed,     // a batch could not be delivered; deferred until retryAt
  kRejected,   // the server refused a batch for good; kept and skipped
};

struct SendStep {
  SendOutcome outcome = SendOutcome::kIdle;
  std::optional<WallTime> retryAt;
  std::uint64_t batchSeq = 0;
  std::string detail;
};

class Sender {
 public:
  Sender(Outbox& outbox, carrier::Carrier& carrier, Sealer seal, SenderSettings settings,
         const util::Clock& clock, std::function<double()> random01);

  // Forms a batch when the send policy says so (flush: whatever is queued)
  // and no sealed batch is waiting, then sends the oldest sealed batch if
  // it is due. flush also ignores retry times: `run --once` and shutdown
  // try once more before they give up.
  SendStep step(bool flush);

 private:
  Outbox& outbox_;
  carrier::Carrier& carrier_;
  Sealer seal_;
  SenderSettings settings_;
  const util::Clock& clock_;
  std::function<double()> random01_;
};

}  // namespace openmps::client::outbox
