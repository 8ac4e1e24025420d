#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "server/mailbox/batch_mail.hpp"
#include "server/mailbox/mailbox.hpp"

// One round of the mailbox poller: fetch, parse, ingest, then delete or
// quarantine. No sockets or database here; both come in through mailbox.hpp.
namespace openmps::server::mailbox {

struct PollerSettings {
  MailLimits limits;
  std::size_t maxMessagesPerPoll = 200;
  // An envelope whose ingest fails (kFailed, or the ingest throws) this
  // many rounds goes to quarantine; "database unavailable" never counts.
  // Until then the round goes on with the mail behind it, so one poisonous
  // mail holds up nothing.
  int maxAttempts = 3;
};

struct PollReport {
  std::size_t listed = 0;
  std::size_t stored = 0;
  std::size_t duplicates = 0;
  std::size_t quarantined = 0;
  std::size_t deferred = 0;  // left in the inbox for the next round
  bool mailboxFailed = false;
  std::string mailboxError;
};

class MailboxPoller {
 public:
  MailboxPoller(Mailbox& mailbox, BatchIngest& ingest, BatchHistory& history,
                PollerSettings settings = {});

  // Never throws for anything a mail or the mailbox does.
  PollReport pollOnce();

 private:
  enum class Step { kNext, kStopRound };
  Step handle(const MessageInfo& info, PollReport& report);
  void toQuarantine(std::uint64_t uid, const std::string& reason, PollReport& report);
  void logGaps();

  Mailbox& mailbox_;
  BatchIngest& ingest_;
  BatchHistory& history_;
  PollerSettings settings_;
  // Messages that could not even be moved to quarantine: skipped, so they
  // do not block the mail behind them; logged once.
  std::set<std::uint64_t> stuck_;
  std::map<std::uint64_t, int> attempts_;
  // Clients with a batch stored by mail this round: their gaps are asked
  // for after the round, and logged when they changed since the last line.
  std::set<std::uint64_t> touchedClients_;
  std::map<std::uint64_t, std::string> reportedGaps_;
};

}  // namespace openmps::server::mailbox
