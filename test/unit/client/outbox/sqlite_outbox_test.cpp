#include "client/outbox/sqlite_outbox.hpp"

#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared/util/log.hpp"

using namespace openmps;
using namespace openmps::client::outbox;
using namespace std::chrono_literals;

namespace {

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("openmps-outbox-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::filesystem::path db() const { return path_ / "client.db"; }

 private:
  std::filesystem::path path_;
};

const WallTime kT0{std::chrono::seconds{1'800'000'000}};

NewReading reading(std::int64_t total, bool urgent = false,
                   model::ReadingKind kind = model::ReadingKind::kMeter) {
  NewReading r;
  r.reading.kind = kind;
  r.reading.readAt = kT0;
  r.reading.identity.serial = "SN" + std::to_string(total);
  r.reading.counters["total"] = total;
  r.urgent = urgent;
  return r;
}

// Stands in for envelope::sealBatch: a deterministic text that shows which
// items went into which batch, plus a nonce so that two seals of the same
// batch differ as real ones do.
std::string fakeSeal(envelope::Batch& batch) {
  static int nonce = 0;
  std::string out =
      "batch " + std::to_string(batch.batchSeq) + " client " + std::to_string(batch.clientId) + ":";
  for (const auto& item : batch.items) {
    out += " " + std::to_string(item.seq) + "=" + std::to_string(item.reading.counters.at("total"));
  }
  return out + " nonce " + std::to_string(++nonce);
}

}  // namespace

TEST_CASE("readings go queued -> batched -> confirmed, with increasing numbers") {
  TempDir dir;
  Database db(dir.db());
  SqliteOutbox outbox(db, 1000);
  outbox.bindClient(7);
  const std::vector<NewReading> first = {reading(100), reading(200), reading(300)};
  CHECK(outbox.commit(first, kT0) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(outbox.commit(std::vector<NewReading>{reading(400)}, kT0 + 1s) ==
        std::vector<std::uint64_t>{4});
  OutboxStats s = outbox.stats();
  CHECK(s.queuedItems == 4);
  CHECK(s.storedItems == 4);
  CHECK(s.lastItemSeq == 4);
  CHECK(s.oldestQueuedAt == kT0);
  CHECK_FALSE(s.urgentQueued);
  CHECK_FALSE(outbox.nextBatch());

  const auto b1 = outbox.formBatch(3, fakeSeal, kT0 + 2s);
  REQUIRE(b1);
  CHECK(b1->batchSeq == 1);
  CHECK(b1->firstItem == 1);
  CHECK(b1->lastItem == 3);
  CHECK(b1->envelope.starts_with("batch 1 client 7: 1=100 2=200 3=300"));
  const auto b2 = outbox.formBatch(3, fakeSeal, kT0 + 3s);
  REQUIRE(b2);
  CHECK(b2->batchSeq == 2);
  CHECK(b2->envelope.starts_with("batch 2 client 7: 4=400 nonce"));
  CHECK_FALSE(outbox.formBatch(3, fakeSeal, kT0 + 4s));

  s = outbox.stats();
  CHECK(s.queuedItems == 0);
  CHECK(s.batchedItems == 4);
  CHECK(s.pendingBatches == 2);
  // The oldest batch goes first, with exactly the bytes sealed at formation.
  CHECK(outbox.nextBatch()->envelope == b1->envelope);
  outbox.confirm(1, kT0 + 5s, {"xmlrpc", "xmlrpcs://test:52004"});
  outbox.confirm(1, kT0 + 6s,
                 {"xmlrpc", "xmlrpcs://test:52004"});  // a second confirmation changes nothing
  CHECK(outbox.nextBatch()->batchSeq == 2);
  outbox.confirm(2, kT0 + 7s, {"xmlrpc", "xmlrpcs://test:52004"});
  s = outbox.stats();
  CHECK(s.storedItems == 0);
  CHECK(s.confirmedItems == 4);
  CHECK(s.confirmedBatches == 2);
  CHECK(s.lastConfirmAt == kT0 + 7s);
  CHECK_FALSE(outbox.nextBatch());
  // Numbers keep growing after everything left.
  CHECK(outbox.commit(std::vector<NewReading>{reading(500)}, kT0) == std::vector<std::uint64_t>{5});
  CHECK(outbox.formBatch(10, fakeSeal, kT0)->batchSeq == 3);
}

TEST_CASE("urgent readings are visible to the send policy") {
  TempDir dir;
  Database db(dir.db());
  SqliteOutbox outbox(db, 1000);
  outbox.commit(std::vector<NewReading>{reading(1)}, kT0);
  CHECK_FALSE(outbox.stats().urgentQueued);
  outbox.commit(std::vector<NewReading>{reading(2, true, model::ReadingKind::kStatus)}, kT0);
  CHECK(outbox.stats().urgentQueued);
  outbox.formBatch(10, fakeSeal, kT0);
  CHECK_FALSE(outbox.stats().urgentQueued);
}

TEST_CASE(
    "a failed send keeps the batch with its attempts; a rejection keeps it for the operator") {
  TempDir dir;
  Database db(dir.db());
  SqliteOutbox outbox(db, 1000);
  outbox.commit(std::vector<NewReading>{reading(1), reading(2)}, kT0);
  const auto b1 = outbox.formBatch(1, fakeSeal, kT0);
  const auto b2 = outbox.formBatch(1, fakeSeal, kT0);
  outbox.deferred(1, "connection refused", kT0 + 1s, kT0 + 11s);
  auto next = outbox.nextBatch();
  CHECK(next->batchSeq == 1);
  CHECK(next->attempts == 1);
  CHECK(next->nextAttemptAt == kT0 + 11s);
  CHECK(next->lastError == "connection refused");
  CHECK(next->envelope == b1->envelope);
  CHECK(outbox.stats().lastSendError == "connection refused");

  outbox.reject(1, "fault 112: tampered", kT0 + 20s);
  next = outbox.nextBatch();
  CHECK(next->batchSeq == 2);  // the rejected one no longer blocks the queue
  const OutboxStats s = outbox.stats();
  CHECK(s.rejectedBatches == 1);
  CHECK(s.rejectedItems == 1);
  CHECK(s.storedItems == 2);  // never silently dropped
  const auto rejected = outbox.rejectedBatches();
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].lastError == "fault 112: tampered");
  CHECK(rejected[0].envelope == b1->envelope);
  outbox.confirm(2, kT0, {"xmlrpc", "xmlrpcs://test:52004"});
  CHECK(outbox.stats().storedItems == 1);
}

TEST_CASE("the cap refuses new readings and keeps the old ones") {
  TempDir dir;
  Database db(dir.db());
  SqliteOutbox outbox(db, 3);
  outbox.commit(std::vector<NewReading>{reading(1), reading(2)}, kT0);
  CHECK_THROWS_AS(outbox.commit(std::vector<NewReading>{reading(3), reading(4)}, kT0), OutboxFull);
  OutboxStats s = outbox.stats();
  CHECK(s.storedItems == 2);
  CHECK(s.lastItemSeq == 2);  // nothing of the refused commit stayed
  outbox.commit(std::vector<NewReading>{reading(3)}, kT0);
  CHECK_THROWS_WITH(outbox.commit(std::vector<NewReading>{reading(4)}, kT0),
                    Catch::Contains("outbox.max_items"));
  outbox.formBatch(10, fakeSeal, kT0);
  CHECK_THROWS_AS(outbox.commit(std::vector<NewReading>{reading(4)}, kT0), OutboxFull);
  outbox.confirm(1, kT0, {"xmlrpc", "xmlrpcs://test:52004"});
  CHECK(outbox.commit(std::vector<NewReading>{reading(4)}, kT0) == std::vector<std::uint64_t>{4});
}

TEST_CASE("a filling outbox warns before the cap refuses anything") {
  std::ostringstream log;
  openmps::util::setLogSinkForTesting(&log);
  TempDir dir;
  Database db(dir.db());
  SqliteOutbox outbox(db, 10);
  for (std::int64_t i = 1; i <= 4; ++i) outbox.commit(std::vector<NewReading>{reading(i)}, kT0);
  CHECK(log.str().find("% full") == std::string::npos);
  outbox.commit(std::vector<NewReading>{reading(5)}, kT0);
  CHECK(log.str().find("the outbox is 50 % full (5 of 10 readings, outbox.max_items)") !=
        std::string::npos);
  for (std::int64_t i = 6; i <= 9; ++i) outbox.commit(std::vector<NewReading>{reading(i)}, kT0);
  CHECK(log.str().find("the outbox is 90 % full (9 of 10") != std::string::npos);
  openmps::util::setLogSinkForTesting(nullptr);
}

TEST_CASE("a seal that fails stores no batch and uses no number") {
  TempDir dir;
  Database db(dir.db());
  SqliteOutbox outbox(db, 100);
  outbox.commit(std::vector<NewReading>{reading(1)}, kT0);
  const Sealer failing = [](envelope::Batch&) -> std::string {
    throw std::runtime_error("no key");
  };
  CHECK_THROWS_WITH(outbox.formBatch(10, failing, kT0), "no key");
  CHECK(outbox.stats().queuedItems == 1);
  CHECK(outbox.formBatch(10, fakeSeal, kT0)->batchSeq == 1);
}

TEST_CASE("an envelope over the size limit is halved until it fits") {
  TempDir dir;
  Database db(dir.db());
  SqliteOutbox outbox(db, 100);
  std::vector<NewReading> many;
  many.reserve(8);
  for (int i = 0; i < 8; ++i) {
    many.push_back(reading(i));
  }
  outbox.commit(many, kT0);
  const Sealer big = [](envelope::Batch& batch) {
    return std::string(batch.items.size() * (3u << 20), 'x');  // 3 MiB per item
  };
  const auto b = outbox.formBatch(8, big, kT0);
  CHECK(b->items == 2);
  CHECK(b->lastItem == 2);
  CHECK(outbox.stats().queuedItems == 6);
}

TEST_CASE("device read state is stored with the reading") {
  TempDir dir;
  Database db(dir.db());
  SqliteOutbox outbox(db, 100);
  SqliteDeviceStore devices(db);
  std::vector<client::discovery::KnownDevice> found(1);
  found[0].address = "10.0.0.5";
  found[0].serial = "ABC";
  found[0].credential = "public";
  found[0].firstSeen = found[0].lastSeen = kT0;
  devices.saveSweep(found, std::nullopt);  // one network of a sweep still running
  REQUIRE(found[0].id == 1);
  CHECK_FALSE(devices.lastSweep().has_value());
  devices.saveSweep(found, client::discovery::FinishedSweep{kT0, 1});
  CHECK(found[0].id == 1);
  CHECK(devices.loadDevices().size() == 1);
  CHECK(devices.lastSweep() == kT0);

  NewReading r = reading(10, true, model::ReadingKind::kStatus);
  r.reading.readAt = kT0 + 5min;
  r.state = {1, "digest1", {"doorOpen", "jammed"}, true};
  outbox.commit(std::vector<NewReading>{r}, kT0 + 5min);
  NewReading m = reading(11);
  m.reading.readAt = kT0 + 6min;
  m.state = {1, "digest2", {}, true};
  outbox.commit(std::vector<NewReading>{m}, kT0 + 6min);

  const auto loaded = devices.loadDevices();
  REQUIRE(loaded.size() == 1);
  CHECK(loaded[0].address == "10.0.0.5");
  CHECK(loaded[0].serial == "ABC");
  CHECK(loaded[0].lastMeterAt == kT0 + 6min);
  CHECK(loaded[0].lastStatusAt == kT0 + 6min);
  CHECK(loaded[0].statusDigest == "digest2");
  CHECK(loaded[0].critical.empty());
  CHECK(loaded[0].everOnline);
  CHECK(loaded[0].meterReadings == 1);
  CHECK(loaded[0].statusReadings == 1);

  found[0].address = "10.0.0.9";
  found[0].lastSeen = kT0 + 1h;
  devices.saveSweep(found, client::discovery::FinishedSweep{kT0 + 1h, 1});
  const auto moved = devices.loadDevices();
  CHECK(moved[0].address == "10.0.0.9");
  CHECK(moved[0].statusDigest == "digest2");  // a sweep leaves read state alone
}

TEST_CASE("batch numbers restart for a new client id only when nothing of the old one waits") {
  TempDir dir;
  Database db(dir.db());
  SqliteOutbox outbox(db, 100);
  outbox.bindClient(1);
  outbox.commit(std::vector<NewReading>{reading(1)}, kT0);
  outbox.formBatch(10, fakeSeal, kT0);
  CHECK_THROWS_WITH(outbox.bindClient(2), Catch::Contains("still waiting"));
  outbox.reject(1, "unknown client", kT0);
  outbox.bindClient(2);
  outbox.commit(std::vector<NewReading>{reading(2)}, kT0);
  const auto b = outbox.formBatch(10, fakeSeal, kT0);
  CHECK(b->batchSeq == 1);
  CHECK(b->envelope.starts_with("batch 1 client 2: 2=2"));
  CHECK(outbox.stats().rejectedBatches == 1);
}

// Kills a child process at random points while it commits, forms batches
// and confirms them, then checks the invariants of what it left: every
// committed number 1..last is either still stored or confirmed, batches
// are contiguous and their bytes never change. The child reports each
// finished step through a pipe, so the kill lands after a random number of
// steps plus a random delay however slow the disk syncs are.
TEST_CASE("the outbox survives kill -9 at any point") {
  TempDir dir;
  std::mt19937 rng(12345);
  std::map<std::uint64_t, std::string> envelopes;  // as first seen pending
  for (int round = 0; round < 25; ++round) {
    int progress[2];
    REQUIRE(::pipe(progress) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::close(progress[0]);
      try {
        Database db(dir.db());
        SqliteOutbox outbox(db, 1'000'000);
        for (int i = 0;; ++i) {
          outbox.commit(std::vector<NewReading>{reading(i), reading(i + 1)}, kT0);
          if (i % 3 == 0) {
            outbox.formBatch(4, fakeSeal, kT0);
          }
          if (i % 5 == 0) {
            if (auto b = outbox.nextBatch()) {
              outbox.confirm(b->batchSeq, kT0, {"xmlrpc", "xmlrpcs://test:52004"});
            }
          }
          const char step = 's';
          if (::write(progress[1], &step, 1) != 1) {
            ::_exit(4);
          }
        }
      } catch (...) {
        ::_exit(3);
      }
    }
    ::close(progress[1]);
    const int steps = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < steps; ++i) {
      char step = 0;
      if (::read(progress[0], &step, 1) != 1) {
        break;  // the child died: checked below
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 5000));
    ::kill(child, SIGKILL);
    ::close(progress[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WIFSIGNALED(status));

    Database db(dir.db());
    SqliteOutbox outbox(db, 1'000'000);
    const OutboxStats s = outbox.stats();
    CHECK(s.storedItems + s.confirmedItems == s.lastItemSeq);
    CHECK(s.queuedItems + s.batchedItems == s.storedItems);
    auto& q =
        db.statement("SELECT COUNT(*), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM items");
    REQUIRE(q.step());
    CHECK(static_cast<std::uint64_t>(q.integer(0)) == s.storedItems);
    if (s.storedItems > 0) {
      CHECK(static_cast<std::uint64_t>(q.integer(2)) == s.lastItemSeq);
      CHECK(static_cast<std::uint64_t>(q.integer(2) - q.integer(1) + 1) == s.storedItems);
    }
    q.reset();
    auto& b = db.statement("SELECT batch_seq, envelope FROM batches ORDER BY batch_seq");
    while (b.step()) {
      const auto seq = static_cast<std::uint64_t>(b.integer(0));
      const auto [it, fresh] = envelopes.emplace(seq, b.blob(1));
      CHECK(it->second == b.blob(1));  // a resend carries the same bytes
      (void)fresh;
    }
    b.reset();
  }
  // The children got far enough to exercise every step.
  Database db(dir.db());
  SqliteOutbox outbox(db, 1'000'000);
  CHECK(outbox.stats().lastItemSeq > 50);
  CHECK(outbox.stats().confirmedBatches > 2);
  CHECK(envelopes.size() > 2);
}
