#include "client/outbox/outbox.hpp"

namespace openmps::client::outbox {

bool shouldFormBatch(const OutboxStats& stats, std::chrono::seconds sendInterval,
                     std::size_t maxBatchItems, WallTime now, bool flush) {
  if (stats.queuedItems == 0) {
    return false;
  }
  if (flush || stats.urgentQueued || stats.queuedItems >= maxBatchItems) {
    return true;
  }
  return !stats.oldestQueuedAt || now - *stats.oldestQueuedAt >= sendInterval;
}

}  // namespace openmps::client::outbox
