#include "client/outbox/sender.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "client/outbox/sqlite_outbox.hpp"
#include "test/unit/temp_dir.hpp"

using namespace openmps;
using namespace openmps::client;
using namespace openmps::client::outbox;
using namespace std::chrono_literals;

namespace {

// The client's database in a temporary directory of its own.
struct TempDb {
  test::TempDir dir{"sender-test"};
  std::filesystem::path path() const { return dir.path() / "client.db"; }
};

// Answers from a script and records what it was given.
class ScriptedCarrier final : public carrier::Carrier {
 public:
  std::string name() const override { return "scripted"; }
  carrier::SendResult send(std::uint64_t clientId, std::uint64_t batchSeq,
                           std::string_view sealed) override {
    sent.push_back({clientId, batchSeq, std::string(sealed)});
    return next;
  }
  struct Sent {
    std::uint64_t clientId;
    std::uint64_t batchSeq;
    std::string envelope;
  };
  std::vector<Sent> sent;
  carrier::SendResult next{carrier::SendStatus::kStored, "ok", false};
};

std::string countingSeal(envelope::Batch& batch) {
  static int nonce = 0;
  return "client " + std::to_string(batch.clientId) + " batch " + std::to_string(batch.batchSeq) +
         " items " + std::to_string(batch.items.size()) + " nonce " + std::to_string(++nonce);
}

std::vector<NewReading> readings(int n, bool urgent = false) {
  std::vector<NewReading> out(static_cast<std::size_t>(n));
  for (auto& r : out) {
    r.reading.counters["total"] = 1;
    r.urgent = urgent;
  }
  return out;
}

}  // namespace

TEST_CASE("the sender confirms what the carrier delivered") {
  TempDb db;
  Database database(db.path());
  SqliteOutbox box(database, 1000);
  box.bindClient(9);
  util::ManualClock clock;
  ScriptedCarrier carrier;
  Sender sender(box, carrier, countingSeal, {15min, 500, {}}, clock, [] { return 0.5; });

  CHECK(sender.step(false).outcome == SendOutcome::kIdle);
  box.commit(readings(3), clock.now());
  // Ordinary readings wait for company...
  CHECK(sender.step(false).outcome == SendOutcome::kIdle);
  CHECK(carrier.sent.empty());
  clock.advance(15min);
  // ...until the send interval is over.
  const SendStep s = sender.step(false);
  CHECK(s.outcome == SendOutcome::kDelivered);
  REQUIRE(carrier.sent.size() == 1);
  CHECK(carrier.sent[0].clientId == 9);
  CHECK(carrier.sent[0].batchSeq == 1);
  CHECK(carrier.sent[0].envelope.starts_with("client 9 batch 1 items 3"));
  CHECK(box.stats().storedItems == 0);
  CHECK(box.stats().lastConfirmAt == clock.now());

  box.commit(readings(1, true), clock.now());
  CHECK(sender.step(false).outcome == SendOutcome::kDelivered);  // urgent: at once
  box.commit(readings(1), clock.now());
  CHECK(sender.step(true).outcome == SendOutcome::kDelivered);  // flush: at once
  CHECK(carrier.sent.size() == 3);
}

TEST_CASE("the sender logs the route that delivered each batch") {
  TempDb db;
  Database database(db.path());
  SqliteOutbox box(database, 1000);
  box.bindClient(9);
  util::ManualClock clock;
  ScriptedCarrier carrier;
  Sender sender(box, carrier, countingSeal, {15min, 500, {}}, clock, [] { return 0.5; });
  box.commit(readings(2), clock.now());
  carrier.next.route = "https://mps.example.net/RPC2";
  CHECK(sender.step(true).outcome == SendOutcome::kDelivered);
  box.commit(readings(1), clock.now());
  carrier.next.route = "";  // a carrier with one route: its own name
  CHECK(sender.step(true).outcome == SendOutcome::kDelivered);

  SqliteSentEnvelopeLog log(db.path());
  const auto entries = log.list(10, std::nullopt);
  REQUIRE(entries.size() == 2);
  CHECK(entries[1].carrier == "https");
  CHECK(entries[1].server == "https://mps.example.net/RPC2");
  CHECK(entries[1].readings == 2);
  CHECK(entries[0].server == "scripted");
  CHECK(entries[0].readings == 1);
}

TEST_CASE("a failed send is retried later with the same bytes, with growing delays") {
  TempDb db;
  Database database(db.path());
  SqliteOutbox box(database, 1000);
  box.bindClient(9);
  util::ManualClock clock;
  ScriptedCarrier carrier;
  Sender sender(box, carrier, countingSeal, {15min, 500, {10s, 30min, 2.0}}, clock,
                [] { return 1.0; });
  box.commit(readings(2), clock.now());
  carrier.next = {carrier::SendStatus::kRetryable, "connection refused", false};
  SendStep s = sender.step(true);
  CHECK(s.outcome == SendOutcome::kFailed);
  CHECK(s.retryAt == clock.now() + 10s);
  CHECK(s.detail == "connection refused");
  CHECK(sender.step(false).outcome == SendOutcome::kWaiting);
  CHECK(carrier.sent.size() == 1);
  clock.advance(10s);
  s = sender.step(false);
  CHECK(s.outcome == SendOutcome::kFailed);
  CHECK(s.retryAt == clock.now() + 20s);
  // A misconfigured route (certificate mismatch) keeps the batch as well.
  carrier.next = {carrier::SendStatus::kPermanent, "certificate", false};
  clock.advance(20s);
  CHECK(sender.step(false).outcome == SendOutcome::kFailed);
  CHECK(box.stats().rejectedBatches == 0);
  carrier.next = {carrier::SendStatus::kDuplicate, "had it", false};
  clock.advance(40s);
  CHECK(sender.step(false).outcome == SendOutcome::kDelivered);
  REQUIRE(carrier.sent.size() == 4);
  for (const auto& sent : carrier.sent) {
    CHECK(sent.envelope == carrier.sent[0].envelope);
  }
  CHECK(box.stats().storedItems == 0);
}

TEST_CASE("a refused batch is set aside and the next one goes") {
  TempDb db;
  Database database(db.path());
  SqliteOutbox box(database, 1000);
  box.bindClient(9);
  util::ManualClock clock;
  ScriptedCarrier carrier;
  Sender sender(box, carrier, countingSeal, {15min, 2, {}}, clock, [] { return 0.0; });
  box.commit(readings(3), clock.now());
  carrier.next = {carrier::SendStatus::kPermanent, "server fault 112: tampered", true};
  CHECK(sender.step(true).outcome == SendOutcome::kRejected);
  CHECK(box.stats().lastSendError == "batch 1 rejected: server fault 112: tampered");
  carrier.next = {carrier::SendStatus::kStored, "ok", false};
  const SendStep s = sender.step(true);
  CHECK(s.outcome == SendOutcome::kDelivered);
  CHECK(s.batchSeq == 2);
  const OutboxStats stats = box.stats();
  CHECK(stats.rejectedBatches == 1);
  CHECK(stats.rejectedItems == 2);
  CHECK(stats.storedItems == 2);  // kept for the operator, never dropped
}
