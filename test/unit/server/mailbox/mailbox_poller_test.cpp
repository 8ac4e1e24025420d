#include "server/mailbox/mailbox_poller.hpp"

#include <map>
#include <sstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "shared/util/log.hpp"
#include "unit/server/mailbox/mail_test_support.hpp"

using namespace openmps::server::mailbox;
using namespace openmps::server::mailbox::test;

namespace {

// An in-memory mailbox: UID → raw message, plus a quarantine folder.
class MemoryMailbox : public Mailbox {
 public:
  std::uint64_t add(std::string raw) {
    inbox[++nextUid_] = std::move(raw);
    return nextUid_;
  }
  std::vector<MessageInfo> list(std::size_t max) override {
    if (failList) throw MailboxError("connection refused");
    std::vector<MessageInfo> out;
    for (const auto& [uid, raw] : inbox) {
      if (out.size() == max) break;
      out.push_back({uid, reportedSize.contains(uid) ? reportedSize[uid] : raw.size()});
    }
    return out;
  }
  std::string fetch(std::uint64_t uid, std::size_t maxBytes) override {
    ++fetches;
    const std::string& raw = inbox.at(uid);
    if (raw.size() > maxBytes) throw MailboxError("too large");
    return raw;
  }
  void remove(std::uint64_t uid) override {
    if (failRemove) throw MailboxError("connection lost");
    inbox.erase(uid);
  }
  void quarantine(std::uint64_t uid) override {
    if (failQuarantine.contains(uid)) throw MailboxError("NO [TRYCREATE] no such folder");
    quarantined[uid] = inbox.at(uid);
    inbox.erase(uid);
  }
  void endRound() override { ++rounds; }

  std::map<std::uint64_t, std::string> inbox;
  std::map<std::uint64_t, std::string> quarantined;
  std::map<std::uint64_t, std::size_t> reportedSize;
  std::set<std::uint64_t> failQuarantine;
  bool failList = false;
  bool failRemove = false;
  int fetches = 0;
  int rounds = 0;

 private:
  std::uint64_t nextUid_ = 0;
};

// Ingest that answers by the envelope's batch number, and the database
// behind it: the batch history is what it stored (by mail or, added to
// `stored` by a test, by another carrier).
class ScriptedIngest : public BatchIngest, public BatchHistory {
 public:
  BatchGaps gaps(std::uint64_t clientId) override {
    if (historyDown) throw std::runtime_error("connection to database lost");
    BatchGaps out;
    std::uint64_t expected = 1;
    for (const auto& [client, seq] : stored) {
      if (client != clientId) continue;
      if (seq > expected) out.missing.push_back({expected, seq - 1});
      expected = seq + 1;
      out.highest = seq;
    }
    return out;
  }
  IngestOutcome ingest(std::string_view sealed) override {
    const auto header = openmps::envelope::peekHeader(sealed);
    ++calls;
    if (throwing) throw std::runtime_error("connection to database lost");
    if (unavailable) return {IngestVerdict::kUnavailable, "database unavailable"};
    if (rejectSeq.contains(header.batchSeq)) return {IngestVerdict::kRejected, "bad seal"};
    if (failSeq.contains(header.batchSeq)) return {IngestVerdict::kFailed, "fault 202: bug"};
    if (!stored.insert({header.clientId, header.batchSeq}).second) {
      return {IngestVerdict::kDuplicate, ""};
    }
    return {IngestVerdict::kStored, ""};
  }
  std::set<std::pair<std::uint64_t, std::uint64_t>> stored;
  std::set<std::uint64_t> rejectSeq;
  std::set<std::uint64_t> failSeq;
  bool unavailable = false;
  bool throwing = false;
  bool historyDown = false;
  int calls = 0;
};

struct LogCapture {
  LogCapture() { openmps::util::setLogSinkForTesting(&out); }
  ~LogCapture() { openmps::util::setLogSinkForTesting(nullptr); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::string text() const { return out.str(); }
  std::ostringstream out;
};

std::string mailFor(std::uint64_t client, std::uint64_t seq) {
  MailParts p;
  p.clientHeader = std::to_string(client);
  p.batchHeader = std::to_string(seq);
  p.attachment = wrapBase64(sealedEnvelope(client, seq));
  return batchMail(p);
}

const std::string kSpam =
    "From: a@spam.example\r\nSubject: hello\r\nContent-Type: text/plain\r\n\r\nbuy\r\n";

}  // namespace

TEST_CASE("stored batches are removed from the mailbox, spam is quarantined", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  box.add(mailFor(17, 1));
  const auto spam = box.add(kSpam);
  box.add(mailFor(17, 2));
  MailboxPoller poller(box, ingest, ingest);
  const PollReport r = poller.pollOnce();
  CHECK(r.stored == 2);
  CHECK(r.quarantined == 1);
  CHECK(box.inbox.empty());
  CHECK(box.quarantined.contains(spam));
  CHECK(ingest.stored.size() == 2);
  CHECK(log.text().find("not an OpenMPS mail") != std::string::npos);
}

TEST_CASE("a mail delivered twice is stored once and both copies are removed", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  box.add(mailFor(17, 5));
  box.add(mailFor(17, 5));
  MailboxPoller poller(box, ingest, ingest);
  const PollReport r = poller.pollOnce();
  CHECK(r.stored == 1);
  CHECK(r.duplicates == 1);
  CHECK(box.inbox.empty());
  CHECK(box.quarantined.empty());
}

TEST_CASE("rejected envelopes go to quarantine and do not block the mail behind", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  ingest.rejectSeq = {1};
  const auto bad = box.add(mailFor(17, 1));
  box.add(mailFor(17, 2));
  MailboxPoller poller(box, ingest, ingest);
  const PollReport r = poller.pollOnce();
  CHECK(r.quarantined == 1);
  CHECK(r.stored == 1);
  CHECK(box.quarantined.contains(bad));
  CHECK(log.text().find("client 17 batch 1: bad seal") != std::string::npos);
}

TEST_CASE("with the database unavailable mail stays and is stored at a later poll", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  box.add(mailFor(17, 1));
  box.add(mailFor(17, 2));
  MailboxPoller poller(box, ingest, ingest);
  ingest.unavailable = true;
  PollReport r = poller.pollOnce();
  CHECK(r.deferred == 1);
  CHECK(ingest.calls == 1);  // the round stops at the first
  CHECK(box.inbox.size() == 2);
  ingest.unavailable = false;
  r = poller.pollOnce();
  CHECK(r.stored == 2);
  CHECK(box.inbox.empty());
}

TEST_CASE("a failed delete leads to a duplicate and a delete next time", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  box.add(mailFor(17, 1));
  MailboxPoller poller(box, ingest, ingest);
  box.failRemove = true;
  PollReport r = poller.pollOnce();
  CHECK(r.mailboxFailed);
  CHECK(box.inbox.size() == 1);
  box.failRemove = false;
  r = poller.pollOnce();
  CHECK(r.duplicates == 1);
  CHECK(box.inbox.empty());
  CHECK(ingest.stored.size() == 1);
}

TEST_CASE("an unreachable mailbox is reported, not thrown", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  box.failList = true;
  MailboxPoller poller(box, ingest, ingest);
  const PollReport r = poller.pollOnce();
  CHECK(r.mailboxFailed);
  CHECK(r.mailboxError == "connection refused");
}

TEST_CASE("a mail too large by its reported size is quarantined unread", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  const auto big = box.add(mailFor(17, 1));
  box.reportedSize[big] = 100u << 20;
  MailboxPoller poller(box, ingest, ingest);
  const PollReport r = poller.pollOnce();
  CHECK(r.quarantined == 1);
  CHECK(box.fetches == 0);
}

TEST_CASE("a mail that cannot be quarantined is skipped, not retried forever", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  const auto spam = box.add(kSpam);
  box.add(mailFor(17, 1));
  box.failQuarantine = {spam};
  MailboxPoller poller(box, ingest, ingest);
  PollReport r = poller.pollOnce();
  CHECK(r.stored == 1);
  box.add(mailFor(17, 2));
  const int before = box.fetches;
  r = poller.pollOnce();
  CHECK(r.stored == 1);
  CHECK(box.fetches == before + 1);  // the stuck spam was not fetched again
  CHECK(box.inbox.size() == 1);
}

TEST_CASE("an ingest that keeps throwing quarantines the mail after a few rounds", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  ingest.throwing = true;
  const auto uid = box.add(mailFor(17, 1));
  PollerSettings settings;
  settings.maxAttempts = 3;
  MailboxPoller poller(box, ingest, ingest, settings);
  CHECK(poller.pollOnce().deferred == 1);
  CHECK(poller.pollOnce().deferred == 1);
  CHECK(poller.pollOnce().quarantined == 1);
  CHECK(box.quarantined.contains(uid));
}

TEST_CASE("a batch that fails to store does not hold up the mail behind it", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  ingest.failSeq = {1};
  const auto poisonous = box.add(mailFor(17, 1));
  box.add(mailFor(17, 2));
  PollerSettings settings;
  settings.maxAttempts = 2;
  MailboxPoller poller(box, ingest, ingest, settings);
  PollReport r = poller.pollOnce();
  CHECK(r.deferred == 1);
  CHECK(r.stored == 1);  // the round went on past the failing mail
  CHECK(box.inbox.size() == 1);
  CHECK(log.text().find("client 17 batch 1 (mail uid") != std::string::npos);
  r = poller.pollOnce();
  CHECK(r.quarantined == 1);
  CHECK(box.quarantined.contains(poisonous));
  CHECK(box.inbox.empty());
  CHECK(log.text().find("fault 202: bug (2 attempts)") != std::string::npos);
}

TEST_CASE("every round is ended, also one the mailbox broke off", "[poller]") {
  // POP3 deletes what a round removed only when its session ends.
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  box.add(mailFor(17, 1));
  MailboxPoller poller(box, ingest, ingest);
  poller.pollOnce();
  CHECK(box.rounds == 1);
  box.failList = true;
  CHECK(poller.pollOnce().mailboxFailed);
  CHECK(box.rounds == 2);
}

TEST_CASE("missing batch numbers are logged as gaps", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  box.add(mailFor(17, 1));
  box.add(mailFor(17, 4));
  MailboxPoller poller(box, ingest, ingest);
  poller.pollOnce();
  CHECK(log.text().find("client 17: batches missing (never received): 2-3 (highest received 4)") !=
        std::string::npos);
  box.add(mailFor(17, 2));
  box.add(mailFor(17, 3));
  poller.pollOnce();
  CHECK(log.text().find("client 17: no missing batches up to 4") != std::string::npos);
}

TEST_CASE("a batch that came by another carrier is no gap", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  ingest.stored.insert({17, 2});  // stored over XML-RPC
  box.add(mailFor(17, 1));
  box.add(mailFor(17, 3));
  MailboxPoller poller(box, ingest, ingest);
  poller.pollOnce();
  CHECK(log.text().find("stored") != std::string::npos);
  CHECK(log.text().find("batches missing") == std::string::npos);
}

TEST_CASE("gaps from before a restart are reported by the next poller", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  ingest.stored.insert({17, 1});  // stored before this process started
  ingest.stored.insert({17, 4});
  box.add(mailFor(17, 5));
  MailboxPoller poller(box, ingest, ingest);
  poller.pollOnce();
  CHECK(log.text().find("client 17: batches missing (never received): 2-3") != std::string::npos);
}

TEST_CASE("an unanswered gap query is logged and asked again later", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  ingest.historyDown = true;
  box.add(mailFor(17, 2));
  MailboxPoller poller(box, ingest, ingest);
  CHECK(poller.pollOnce().stored == 1);  // storing does not wait for the report
  CHECK(log.text().find("client 17: missing batches not known now") != std::string::npos);
  ingest.historyDown = false;
  box.add(mailFor(17, 3));
  poller.pollOnce();
  CHECK(log.text().find("client 17: batches missing (never received): 1") != std::string::npos);
}

TEST_CASE("at most maxMessagesPerPoll mails are handled per round", "[poller]") {
  LogCapture log;
  MemoryMailbox box;
  ScriptedIngest ingest;
  for (std::uint64_t s = 1; s <= 5; ++s) box.add(mailFor(17, s));
  PollerSettings settings;
  settings.maxMessagesPerPoll = 2;
  MailboxPoller poller(box, ingest, ingest, settings);
  CHECK(poller.pollOnce().stored == 2);
  CHECK(box.inbox.size() == 3);
}
