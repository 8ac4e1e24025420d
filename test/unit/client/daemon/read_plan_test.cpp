#include "client/daemon/read_plan.hpp"

#include <catch2/catch.hpp>

#include "shared/util/clock.hpp"

using namespace openmps;
using namespace openmps::client;
using namespace openmps::client::daemon;
using namespace std::chrono_literals;

namespace {

discovery::KnownDevice onlinePrinter() {
  discovery::KnownDevice d;
  d.id = 7;
  d.address = "10.0.0.5";
  d.port = 1161;
  d.credential = "office";
  d.serial = "SN1";
  d.mac = "aa:bb:cc:dd:ee:ff";
  d.everOnline = true;
  return d;
}

client::pmd::ReadOutcome answered() {
  client::pmd::ReadOutcome o;
  o.reading.identity.serial = "SN1";
  o.reading.counters["total"] = 1234;
  o.reading.status.printerStatus = "idle";
  o.reading.status.deviceStatus = "running";
  return o;
}

client::pmd::ReadOutcome timedOut() {
  client::pmd::ReadOutcome o;
  o.error = client::pmd::ReadError::kSnmp;
  o.snmpError = client::snmp::ErrorKind::kTimeout;
  o.message = "no answer";
  return o;
}

config::ClientConfig twoCredentials() {
  return config::parseConfig(
      "snmp: {timeout_ms: 1500, retries: 3}\n"
      "credentials:\n"
      "  - {name: public, version: 2c, community: public}\n"
      "  - {name: office, version: 2c, community: office}\n",
      "client.yaml", ".");
}

}  // namespace

TEST_CASE("a read asks the device with the credential set that worked at discovery") {
  const auto cfg = twoCredentials();
  auto d = onlinePrinter();
  auto t = readTarget(d, cfg);
  CHECK(t.host == "10.0.0.5");
  CHECK(t.port == 1161);
  CHECK(t.credentials.community.reveal() == "office");
  CHECK(t.timeout == 1500ms);
  CHECK(t.retries == 3);
  d.credential = "removed since";
  CHECK(readTarget(d, cfg).credentials.community.reveal() == "public");
}

TEST_CASE("reads in flight are bounded") {
  CHECK(readRoom(0) == kMaxReadsInFlight);
  CHECK(readRoom(kMaxReadsInFlight - 1) == 1);
  CHECK(readRoom(kMaxReadsInFlight) == 0);
  CHECK(readRoom(kMaxReadsInFlight + 5) == 0);
}

TEST_CASE("the collector sleeps until the next task, between 1 s and 60 s") {
  const util::Clock::MonoTime now{100s};
  CHECK(loopWait(std::nullopt, now) == 60s);
  CHECK(loopWait(now + 10s, now) == 11s);
  CHECK(loopWait(now - 5s, now) == 1s);
  CHECK(loopWait(now + 1h, now) == 60s);
}

TEST_CASE("the sender sleeps until the retry time, between 100 ms and 30 s") {
  const util::Clock::WallTime now{std::chrono::hours{1000}};
  CHECK(senderWait(std::nullopt, now) == 30s);
  CHECK(senderWait(now + 2s, now) == 2s);
  CHECK(senderWait(now - 2s, now) == 100ms);
  CHECK(senderWait(now + 10min, now) == 30s);
}

TEST_CASE("an answered read is stored with its kind, time, client and address") {
  const util::Clock::WallTime now{std::chrono::hours{1000}};
  const auto d = onlinePrinter();
  const auto meter = decideRead(d, scheduler::TaskKind::kMeter, answered(), 0, now, 42);
  CHECK(meter.verdict.store);
  CHECK(meter.reading.kind == model::ReadingKind::kMeter);
  CHECK(meter.reading.readAt == now);
  CHECK(meter.reading.origin.clientId == "42");
  CHECK(meter.reading.origin.address == "10.0.0.5:1161");
  CHECK(meter.reading.counters.at("total") == 1234);
  // Read before the client was enrolled (client 0): no client named.
  CHECK(decideRead(d, scheduler::TaskKind::kMeter, answered(), 0, now, 0).reading.origin.clientId ==
        "");
  const auto status = decideRead(d, scheduler::TaskKind::kStatus, answered(), 0, now, 42);
  CHECK(status.reading.kind == model::ReadingKind::kStatus);
}

TEST_CASE("a device is offline only after repeated failed reads") {
  const util::Clock::WallTime now{std::chrono::hours{1000}};
  const auto d = onlinePrinter();
  FailureCounter failures;
  const int first = failures.failed(d.id);
  CHECK(first == 1);
  const auto once = decideRead(d, scheduler::TaskKind::kStatus, timedOut(), first, now, 42);
  CHECK_FALSE(once.verdict.store);
  CHECK(once.verdict.next.everOnline);
  CHECK(once.verdict.next.critical.empty());

  const int second = failures.failed(d.id);
  CHECK(second == kOfflineAfterFailures);
  const auto twice = decideRead(d, scheduler::TaskKind::kStatus, timedOut(), second, now, 42);
  CHECK(twice.verdict.store);
  CHECK(twice.verdict.urgent);
  CHECK(twice.verdict.next.offline());
  CHECK(twice.reading.identity.serial == "SN1");
  CHECK(twice.reading.identity.mac == "aa:bb:cc:dd:ee:ff");
  CHECK(twice.reading.readAt == now);
  CHECK(twice.reading.origin.address == "10.0.0.5:1161");

  failures.answered(d.id);
  CHECK(failures.failures(d.id) == 0);
  CHECK(failures.failed(d.id) == 1);
}

TEST_CASE("a device that never answered is not news when it stays silent") {
  const util::Clock::WallTime now{std::chrono::hours{1000}};
  auto d = onlinePrinter();
  d.everOnline = false;
  const auto silent = decideRead(d, scheduler::TaskKind::kStatus, timedOut(), 5, now, 42);
  CHECK_FALSE(silent.verdict.urgent);
}
