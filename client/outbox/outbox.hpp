#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "client/outbox/sent_log.hpp"
#include "shared/envelope/batch.hpp"
#include "shared/model/reading.hpp"

// The outbox: every reading is committed here before anything is sent, and
// leaves only when the server confirmed the batch that carried it. The
// state machine of an item:
//   queued --formBatch--> in a sealed batch --confirm--> gone
//                                        \--reject---> kept as rejected
// A batch's envelope is sealed once and stored, so every resend (also after
// a crash) carries the identical bytes the server may already have.
namespace openmps::client::outbox {

using WallTime = std::chrono::system_clock::time_point;

// The outbox holds its maximum; nothing was committed. The caller reads
// nothing more until batches are confirmed.
class OutboxFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the scheduler remembers about a device after a reading, stored in
// the same transaction as the reading so that a restart resumes exactly.
struct DeviceReadState {
  std::uint64_t device = 0;  // 0: not a known device (probe-like reads)
  std::string statusDigest;
  std::vector<std::string> critical;
  bool everOnline = false;
};

struct NewReading {
  model::Reading reading;
  bool urgent = false;
  DeviceReadState state;
};

struct SealedBatch {
  std::uint64_t clientId = 0;
  std::uint64_t batchSeq = 0;
  std::string envelope;  // exactly the bytes to send, every time
  std::uint64_t firstItem = 0;
  std::uint64_t lastItem = 0;
  std::size_t items = 0;
  int attempts = 0;  // failed attempts so far
  WallTime createdAt{};
  std::optional<WallTime> nextAttemptAt;  // none: now
  std::string lastError;
};

// Turns a batch (items, batch number, creation time filled in) into the
// sealed envelope: client id, version and key are the caller's business.
using Sealer = std::function<std::string(envelope::Batch&)>;

struct OutboxStats {
  std::uint64_t queuedItems = 0;   // committed, waiting for a batch
  std::uint64_t batchedItems = 0;  // in sealed batches not yet confirmed
  std::uint64_t pendingBatches = 0;
  std::uint64_t rejectedBatches = 0;
  std::uint64_t rejectedItems = 0;
  std::uint64_t storedItems = 0;  // all three together, what the cap counts
  bool urgentQueued = false;
  std::optional<WallTime> oldestQueuedAt;
  std::uint64_t lastItemSeq = 0;   // every item 1..lastItemSeq was committed
  std::uint64_t lastBatchSeq = 0;  // every batch 1..lastBatchSeq was formed
  std::uint64_t confirmedItems = 0;
  std::uint64_t confirmedBatches = 0;
  std::optional<WallTime> lastConfirmAt;
  std::string lastSendError;
  std::optional<WallTime> lastSendErrorAt;
  std::size_t maxItems = 0;
};

class Outbox {
 public:
  virtual ~Outbox() = default;

  // Commits all readings in one transaction (the caller groups what arrived
  // together, so a fleet read costs few disk syncs). Returns their item
  // sequence numbers. Throws OutboxFull when they do not fit under the cap.
  virtual std::vector<std::uint64_t> commit(std::span<const NewReading> readings, WallTime now) = 0;

  // The oldest sealed batch still waiting for its confirmation.
  virtual std::optional<SealedBatch> nextBatch() = 0;
  // Forms the next batch from up to maxItems queued readings, oldest first:
  // assigns the next batch number, seals, stores, all in one transaction.
  // nullopt when nothing is queued.
  virtual std::optional<SealedBatch> formBatch(std::size_t maxItems, const Sealer& seal,
                                               WallTime now) = 0;
  // The server stored the batch (or had it already): its items leave, and
  // the sent-envelope log records how it left, in the same transaction.
  virtual void confirm(std::uint64_t batchSeq, WallTime now, const Delivery& delivery) = 0;
  // The server will never take this batch as it is: kept, flagged, skipped.
  virtual void reject(std::uint64_t batchSeq, const std::string& reason, WallTime now) = 0;
  // Sending failed for now; try again at nextAttempt.
  virtual void deferred(std::uint64_t batchSeq, const std::string& error, WallTime now,
                        WallTime nextAttempt) = 0;

  virtual OutboxStats stats() = 0;
};

// Whether to form a batch now. Urgent readings go at once; others once the
// oldest has waited sendInterval or a full batch is queued; flush (run
// --once, shutdown) sends whatever is queued.
bool shouldFormBatch(const OutboxStats& stats, std::chrono::seconds sendInterval,
                     std::size_t maxBatchItems, WallTime now, bool flush);

}  // namespace openmps::client::outbox
