#include "server/mailbox/mailbox_poller.hpp"

#include <exception>
#include <utility>

#include "shared/util/log.hpp"

namespace openmps::server::mailbox {
namespace {
constexpr std::string_view kLog = "mailbox";
}

MailboxPoller::MailboxPoller(Mailbox& mailbox, BatchIngest& ingest, BatchHistory& history,
                             PollerSettings settings)
    : mailbox_(mailbox), ingest_(ingest), history_(history), settings_(settings) {}

PollReport MailboxPoller::pollOnce() {
  PollReport report;
  try {
    // Skipped (stuck) messages stay in the inbox; ask for enough to see
    // past them.
    const auto messages = mailbox_.list(settings_.maxMessagesPerPoll + stuck_.size());
    report.listed = messages.size();
    std::size_t handled = 0;
    for (const MessageInfo& info : messages) {
      if (stuck_.contains(info.uid)) continue;
      if (handled++ == settings_.maxMessagesPerPoll) break;
      if (handle(info, report) == Step::kStopRound) break;
    }
  } catch (const MailboxError& e) {
    report.mailboxFailed = true;
    report.mailboxError = e.what();
    util::logWarning(kLog) << "mailbox unavailable, retrying at the next poll: " << e.what();
  } catch (const std::exception& e) {
    report.mailboxFailed = true;
    report.mailboxError = e.what();
    util::logError(kLog) << "poll round failed, retrying at the next poll: " << e.what();
  }
  try {
    mailbox_.endRound();
  } catch (const std::exception& e) {
    // The removals of this round may not have taken effect: those mails
    // come again and are acknowledged as duplicates.
    util::logWarning(kLog) << "ending the round: " << e.what();
  }
  logGaps();
  if (report.stored + report.duplicates + report.quarantined > 0) {
    util::logInfo(kLog) << "poll: " << report.stored << " stored, " << report.duplicates
                        << " duplicates, " << report.quarantined << " quarantined, "
                        << report.deferred << " deferred";
  }
  return report;
}

MailboxPoller::Step MailboxPoller::handle(const MessageInfo& info, PollReport& report) {
  const auto& limits = settings_.limits;
  if (info.size > limits.maxMessageBytes) {
    toQuarantine(info.uid,
                 "oversize: " + std::to_string(info.size) + " bytes, limit " +
                     std::to_string(limits.maxMessageBytes),
                 report);
    return Step::kNext;
  }
  const std::string raw = mailbox_.fetch(info.uid, limits.maxMessageBytes);

  BatchMail mail;
  try {
    mail = parseBatchMail(raw, limits);
  } catch (const MailError& e) {
    toQuarantine(info.uid, std::string(toString(e.kind())) + ": " + e.what(), report);
    return Step::kNext;
  }

  IngestOutcome outcome;
  try {
    outcome = ingest_.ingest(mail.sealed);
  } catch (const std::exception& e) {
    outcome = {IngestVerdict::kFailed, std::string("ingest failed: ") + e.what()};
  }

  const std::string what =
      "client " + std::to_string(mail.clientId) + " batch " + std::to_string(mail.batchSeq);
  switch (outcome.verdict) {
    case IngestVerdict::kStored:
    case IngestVerdict::kDuplicate:
      attempts_.erase(info.uid);
      // Deleted only now that the batch is committed: a crash before this
      // line means the mail is read again and acknowledged as a duplicate.
      mailbox_.remove(info.uid);
      if (outcome.verdict == IngestVerdict::kStored) {
        ++report.stored;
        util::logInfo(kLog) << what << " stored (mail uid " << info.uid << ")";
      } else {
        ++report.duplicates;
        util::logInfo(kLog) << what << " was already stored; mail uid " << info.uid << " removed";
      }
      touchedClients_.insert(mail.clientId);
      return Step::kNext;
    case IngestVerdict::kRejected:
      attempts_.erase(info.uid);
      toQuarantine(info.uid, what + ": " + outcome.detail, report);
      return Step::kNext;
    case IngestVerdict::kFailed:
      // Something about this batch: the mail behind it may well store, so
      // the round goes on; after a few rounds the mail goes to quarantine.
      if (++attempts_[info.uid] >= settings_.maxAttempts) {
        attempts_.erase(info.uid);
        toQuarantine(info.uid,
                     what + ": " + outcome.detail + " (" + std::to_string(settings_.maxAttempts) +
                         " attempts)",
                     report);
        return Step::kNext;
      }
      ++report.deferred;
      util::logWarning(kLog) << what << " (mail uid " << info.uid << ") failed, tried again at "
                             << "the next poll: " << outcome.detail;
      return Step::kNext;
    case IngestVerdict::kUnavailable:
      ++report.deferred;
      util::logWarning(kLog) << what << " (mail uid " << info.uid
                             << ") left in the mailbox: " << outcome.detail;
      // The database is the same for every mail behind this one.
      return Step::kStopRound;
  }
  return Step::kNext;
}

void MailboxPoller::toQuarantine(std::uint64_t uid, const std::string& reason, PollReport& report) {
  try {
    mailbox_.quarantine(uid);
    ++report.quarantined;
    util::logWarning(kLog) << "mail uid " << uid << " quarantined: " << reason;
  } catch (const MailboxError& e) {
    stuck_.insert(uid);
    util::logError(kLog) << "mail uid " << uid << " (" << reason
                         << ") could not be quarantined and is skipped from now on: " << e.what();
  }
}

void MailboxPoller::logGaps() {
  for (const std::uint64_t client : touchedClients_) {
    BatchGaps gaps;
    try {
      gaps = history_.gaps(client);
    } catch (const std::exception& e) {
      util::logWarning(kLog) << "client " << client
                             << ": missing batches not known now, asked again after the next "
                             << "mail: " << e.what();
      continue;
    }
    std::string text = formatGaps(gaps.missing);
    auto& last = reportedGaps_[client];
    if (text == last) continue;
    if (gaps.missing.empty()) {
      util::logInfo(kLog) << "client " << client << ": no missing batches up to " << gaps.highest;
    } else {
      util::logWarning(kLog) << "client " << client
                             << ": batches missing (never received): " << text
                             << " (highest received " << gaps.highest << ")";
    }
    last = std::move(text);
  }
  touchedClients_.clear();
}

}  // namespace openmps::server::mailbox
