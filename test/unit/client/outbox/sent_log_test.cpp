#include "client/outbox/sent_log.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "client/outbox/sqlite_outbox.hpp"
#include "shared/envelope/batch.hpp"
#include "test/unit/temp_dir.hpp"

using namespace openmps;
using namespace openmps::client::outbox;
using namespace std::chrono_literals;

namespace {

// The client's database in a temporary directory of its own.
struct TempDb {
  test::TempDir dir{"sent-log-test"};
  std::filesystem::path path() const { return dir.path() / "client.db"; }
};

const WallTime kT0{std::chrono::seconds{1'800'000'000}};
const Delivery kVia{"xmlrpc", "xmlrpcs://mps.example.net:52004"};

std::vector<NewReading> readings(int n, const std::string& serial) {
  std::vector<NewReading> out(static_cast<std::size_t>(n));
  for (auto& r : out) {
    r.reading.readAt = kT0;
    r.reading.identity.serial = serial;
    r.reading.counters["total"] = 1234;
  }
  return out;
}

std::string sealedText(envelope::Batch& batch) {
  return "sealed " + std::to_string(batch.batchSeq) + " " + std::to_string(batch.items.size());
}

// Commits n readings, forms one batch and confirms it; the batch number.
std::uint64_t sendOne(SqliteOutbox& box, int n, const std::string& serial, WallTime at,
                      const Delivery& via = kVia) {
  box.commit(readings(n, serial), at);
  const auto batch = box.formBatch(500, sealedText, at);
  REQUIRE(batch);
  box.confirm(batch->batchSeq, at + 1s, via);
  return batch->batchSeq;
}

}  // namespace

TEST_CASE("a confirmed batch is in the sent-envelope log with the payload it sealed") {
  TempDb db;
  Database database(db.path());
  SqliteOutbox box(database, 1000);
  box.bindClient(42);
  SqliteSentEnvelopeLog log(db.path());
  CHECK(log.list(10, std::nullopt).empty());

  box.commit(readings(3, "CNB1234567"), kT0);
  const auto batch = box.formBatch(500, sealedText, kT0);
  REQUIRE(batch);
  CHECK(log.list(10, std::nullopt).empty());  // formed is not sent
  box.confirm(batch->batchSeq, kT0 + 5s, kVia);
  box.confirm(batch->batchSeq, kT0 + 6s, kVia);  // a repeated confirmation logs nothing

  const auto entries = log.list(10, std::nullopt);
  REQUIRE(entries.size() == 1);
  const SentEnvelope& e = entries[0];
  CHECK(e.sentAt == kT0 + 5s);
  CHECK(e.carrier == "xmlrpc");
  CHECK(e.server == "xmlrpcs://mps.example.net:52004");
  CHECK(e.clientId == 42);
  CHECK(e.batchSeq == 1);
  CHECK(e.readings == 3);
  CHECK(e.sealedBytes == batch->envelope.size());

  const auto content = log.get(e.id);
  REQUIRE(content);
  CHECK(content->envelope.batchSeq == 1);
  const envelope::Batch opened = envelope::decodeBatch(content->content);
  CHECK(opened.clientId == 42);
  CHECK(opened.batchSeq == 1);
  REQUIRE(opened.items.size() == 3);
  CHECK(opened.items[0].reading.identity.serial == "CNB1234567");
  CHECK(opened.items[0].reading.counters.at("total") == 1234);
  CHECK_FALSE(log.get(e.id + 1));
}

TEST_CASE("rejected and deferred batches are not in the sent-envelope log") {
  TempDb db;
  Database database(db.path());
  SqliteOutbox box(database, 1000);
  box.bindClient(1);
  box.commit(readings(2, "A"), kT0);
  const auto batch = box.formBatch(500, sealedText, kT0);
  REQUIRE(batch);
  box.deferred(batch->batchSeq, "connection refused", kT0, kT0 + 10s);
  box.reject(batch->batchSeq, "tampered", kT0 + 10s);
  SqliteSentEnvelopeLog log(db.path());
  CHECK(log.list(10, std::nullopt).empty());
}

TEST_CASE("the sent-envelope log pages newest first") {
  TempDb db;
  Database database(db.path());
  SqliteOutbox box(database, 1000);
  box.bindClient(1);
  for (int i = 1; i <= 5; ++i) {
    sendOne(box, i, "S" + std::to_string(i), kT0 + std::chrono::minutes{i});
  }
  SqliteSentEnvelopeLog log(db.path());
  const auto first = log.list(2, std::nullopt);
  REQUIRE(first.size() == 2);
  CHECK(first[0].batchSeq == 5);
  CHECK(first[1].batchSeq == 4);
  const auto next = log.list(10, first[1].id);
  REQUIRE(next.size() == 3);
  CHECK(next[0].batchSeq == 3);
  CHECK(next[2].batchSeq == 1);
  CHECK(next[2].readings == 1);
  CHECK(log.list(0, std::nullopt).empty());
}

TEST_CASE("the sent-envelope log drops the oldest beyond its count and bytes") {
  TempDb db;
  Database database(db.path());
  SECTION("count") {
    SqliteOutbox box(database, 1000, SentLogLimits{3, 1u << 20});
    box.bindClient(1);
    for (int i = 1; i <= 5; ++i) sendOne(box, 1, "C", kT0);
    SqliteSentEnvelopeLog log(db.path());
    const auto entries = log.list(10, std::nullopt);
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].batchSeq == 5);
    CHECK(entries[2].batchSeq == 3);
    CHECK_FALSE(log.get(entries[2].id - 1));
  }
  SECTION("bytes; the newest stays even when it alone is larger") {
    SqliteOutbox box(database, 1000, SentLogLimits{1000, 1});
    box.bindClient(1);
    for (int i = 1; i <= 3; ++i) sendOne(box, 2, "B", kT0);
    SqliteSentEnvelopeLog log(db.path());
    const auto entries = log.list(10, std::nullopt);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].batchSeq == 3);
    CHECK(log.get(entries[0].id));
  }
}

TEST_CASE("carrier names of server addresses") {
  CHECK(carrierOf("xmlrpcs://mps.example.net:52004") == "xmlrpc");
  CHECK(carrierOf("xmlrpc://127.0.0.1:52004") == "xmlrpc");
  CHECK(carrierOf("https://mps.example.net/RPC2") == "https");
  CHECK(carrierOf("mailto:inbox@example.net") == "email");
}

TEST_CASE("a database of the previous schema gains the sent-envelope log") {
  TempDb db;
  {
    Database database(db.path());
    database.exec("DROP TABLE sent_envelopes");
    database.exec("ALTER TABLE batches DROP COLUMN plain");
    database.exec("PRAGMA user_version=1");
  }
  Database database(db.path());
  SqliteOutbox box(database, 1000);
  box.bindClient(1);
  sendOne(box, 2, "M", kT0);
  SqliteSentEnvelopeLog log(db.path());
  CHECK(log.list(10, std::nullopt).size() == 1);
}

TEST_CASE("the sent-envelope log of a client that has no database yet is empty") {
  TempDb db;
  SqliteSentEnvelopeLog log(db.path());
  CHECK(log.list(10, std::nullopt).empty());
  CHECK_FALSE(log.get(1));
}
