#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "server/mailbox/batch_gaps.hpp"

// The seams of the mailbox poller: the mailbox it reads (IMAP or POP3 in
// production, curl_imap_mailbox.cpp and curl_pop3_mailbox.cpp), the ingest it hands envelopes to
// (the same path as the XML-RPC receiver) and the batch history it reports
// gaps from (the database).
namespace openmps::server::mailbox {

// The mailbox could not be reached or refused a command. The poller ends
// its round and tries again at the next one; nothing is lost.
class MailboxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MessageInfo {
  std::uint64_t uid = 0;
  std::size_t size = 0;  // as the server reports it, before fetching
};

class Mailbox {
 public:
  virtual ~Mailbox() = default;
  // Messages waiting in the inbox, lowest UID first, at most `max`.
  virtual std::vector<MessageInfo> list(std::size_t max) = 0;
  // The raw message; MailboxError also when it is larger than maxBytes.
  virtual std::string fetch(std::uint64_t uid, std::size_t maxBytes) = 0;
  // Called only after the batch is committed (or known to be a duplicate).
  virtual void remove(std::uint64_t uid) = 0;
  // Out of the inbox into the quarantine folder, kept for a person to see.
  // Where the protocol has no folders (POP3): kept where it is, logged, and
  // left out of later lists.
  virtual void quarantine(std::uint64_t uid) = 0;
  // After every round, also a failed one: where removals take effect only
  // at the end of a session (POP3's QUIT), they do now.
  virtual void endRound() {}
};

enum class IngestVerdict {
  kStored,       // committed
  kDuplicate,    // this exact batch was stored before
  kRejected,     // never acceptable: unknown client, bad seal, replay, bad payload
  kUnavailable,  // could not decide now (database down): keep the mail, retry later
  kFailed,       // this batch failed to store (internal error): retry it a few
                 // rounds, go on with the mail behind it, then quarantine it
};

struct IngestOutcome {
  IngestVerdict verdict = IngestVerdict::kUnavailable;
  std::string detail;  // for the log line
};

class BatchIngest {
 public:
  virtual ~BatchIngest() = default;
  virtual IngestOutcome ingest(std::string_view sealed) = 0;
};

// What the server stored of a client's batches, by any carrier: a batch
// that came by XML-RPC is no gap in the mail, and a restart forgets
// nothing. Throws when it cannot tell now (the report waits for the next
// round).
class BatchHistory {
 public:
  virtual ~BatchHistory() = default;
  virtual BatchGaps gaps(std::uint64_t clientId) = 0;
};

}  // namespace openmps::server::mailbox
