#include "client/outbox/sender.hpp"

#include <utility>

#include "shared/util/log.hpp"

namespace openmps::client::outbox {
namespace {
constexpr std::string_view kLog = "sender";
}

Sender::Sender(Outbox& outbox, carrier::Carrier& carrier, Sealer seal, SenderSettings settings,
               const util::Clock& clock, std::function<double()> random01)
    : outbox_(outbox),
      carrier_(carrier),
      seal_(std::move(seal)),
      settings_(settings),
      clock_(clock),
      random01_(std::move(random01)) {}

SendStep Sender::step(bool flush) {
  SendStep out;
  WallTime now = clock_.now();
  const OutboxStats stats = outbox_.stats();
  // One sealed batch in flight at a time: during an outage readings keep
  // queueing and leave in full batches once the server is back.
  if (stats.pendingBatches == 0 &&
      shouldFormBatch(stats, settings_.sendInterval, settings_.maxBatchItems, now, flush)) {
    if (const auto formed = outbox_.formBatch(settings_.maxBatchItems, seal_, now)) {
      util::logDebug(kLog) << "formed batch " << formed->batchSeq << " with " << formed->items
                           << " readings (items " << formed->firstItem << ".." << formed->lastItem
                           << ")";
    }
  }
  const auto batch = outbox_.nextBatch();
  if (!batch) {
    return out;
  }
  out.batchSeq = batch->batchSeq;
  if (!flush && batch->nextAttemptAt && *batch->nextAttemptAt > now) {
    out.outcome = SendOutcome::kWaiting;
    out.retryAt = batch->nextAttemptAt;
    return out;
  }
  const carrier::SendResult result =
      carrier_.send(batch->clientId, batch->batchSeq, batch->envelope);
  now = clock_.now();
  out.detail = result.detail;
  if (result.delivered()) {
    const std::string server = result.route.empty() ? carrier_.name() : result.route;
    outbox_.confirm(batch->batchSeq, now, Delivery{carrierOf(server), server});
    out.outcome = SendOutcome::kDelivered;
    util::logInfo(kLog) << "batch " << batch->batchSeq << " (" << batch->items << " readings) "
                        << carrier::toString(result.status) << " via " << server;
    return out;
  }
  if (result.status == carrier::SendStatus::kPermanent && result.batchRefused) {
    outbox_.reject(batch->batchSeq, result.detail, now);
    out.outcome = SendOutcome::kRejected;
    util::logError(kLog) << "batch " << batch->batchSeq << " (" << batch->items
                         << " readings) refused by the server and set aside: " << result.detail;
    return out;
  }
  const auto delay = settings_.retry.delayAfter(batch->attempts + 1, random01_());
  const WallTime retryAt = now + delay;
  outbox_.deferred(batch->batchSeq, result.detail, now, retryAt);
  out.outcome = SendOutcome::kFailed;
  out.retryAt = retryAt;
  // A setting to fix (certificate, enrollment) is an error; a server that
  // is away for a while is a warning.
  (result.status == carrier::SendStatus::kPermanent ? util::logError(kLog) : util::logWarning(kLog))
      << "batch " << batch->batchSeq << " not delivered (attempt " << batch->attempts + 1
      << "), next try in " << std::chrono::duration_cast<std::chrono::seconds>(delay).count()
      << " s: " << result.detail;
  return out;
}

}  // namespace openmps::client::outbox
