#include "server/ingest/batch_planner.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "server/events/conditions.hpp"
#include "shared/model/reading_json_value.hpp"

using namespace openmps::server::ingest;
using namespace std::chrono_literals;
using openmps::envelope::Batch;
using openmps::model::DeviceIdentity;
using openmps::model::Reading;
using openmps::model::Supply;
using openmps::model::SupplyState;
using openmps::server::events::Event;
using json = nlohmann::json;

namespace {

const TimePoint kT0 = TimePoint(1'800'000'000s);
constexpr std::int64_t kCollector = 77;

DeviceIdentity identity(std::string serial, std::string ip = "10.0.0.1") {
  DeviceIdentity i;
  i.serial = std::move(serial);
  i.ip = std::move(ip);
  i.model = "Laser 1";
  i.firmware = "1.0";
  return i;
}

Supply toner(int index, std::optional<int> percent, std::string serial = "") {
  Supply s;
  s.index = index;
  s.description = "Black Toner";
  s.type = "toner";
  s.color = "black";
  s.levelPercent = percent;
  s.level = percent.value_or(-3);
  s.max = 100;
  s.state = percent ? (*percent == 0 ? SupplyState::kEmpty : SupplyState::kOk)
                    : SupplyState::kSomeRemaining;
  s.unit = "percent";
  s.supplyClass = "consumed";
  s.serial = std::move(serial);
  return s;
}

// What device_latest held of a supply, as the store reads it back.
openmps::server::events::SupplyLevel level(const Supply& s) {
  return {s.index, s.levelPercent, s.state, s.serial};
}

Reading reading(TimePoint at, std::string serial = "S1") {
  Reading r;
  r.readAt = at;
  r.identity = identity(std::move(serial));
  r.counters = {{"total", 1000}};
  r.status.printerStatus = "idle";
  return r;
}

// A batch of readings of stored devices (and new ones), planned.
struct Rig {
  Batch batch;
  std::vector<DeviceIdentity> identities;
  std::vector<std::int64_t> itemDevice;
  std::set<std::int64_t> newSeqs;
  std::unordered_map<std::int64_t, StoredDevice> devices;
  PlanInput input;

  StoredDevice& stored(std::int64_t id, std::string serial = "S1") {
    StoredDevice& d = devices[id];
    d.device = {id, identity(std::move(serial))};
    // What the device reported before: its capabilities as readings carry them.
    d.capabilities = openmps::model::toJsonValue(openmps::model::Capabilities{}).dump();
    d.collectorId = kCollector;
    d.counters = {{"total", 900}};
    d.countersAt = kT0 - 24h;
    d.statusAt = kT0 - 24h;
    d.lastSeen = kT0 - 24h;
    return d;
  }

  void add(std::int64_t device, Reading r, bool isNew = true) {
    const auto seq = static_cast<std::uint64_t>(batch.items.size() + 1);
    identities.push_back(normaliseIdentity(r.identity));
    batch.items.push_back({seq, std::move(r)});
    itemDevice.push_back(device);
    if (isNew) newSeqs.insert(static_cast<std::int64_t>(seq));
  }

  BatchPlan plan(PlannerOptions options = {}) {
    input.batch = &batch;
    input.identities = identities;
    input.itemDevice = itemDevice;
    input.newSeqs = &newSeqs;
    input.devices = &devices;
    input.collectorId = kCollector;
    input.options = options;
    return planBatch(input);
  }
};

std::vector<std::string> kinds(const BatchPlan& p) {
  std::vector<std::string> out;
  for (const auto& e : p.events) out.push_back(e.kind);
  return out;
}

const Event& only(const BatchPlan& p, std::string_view kind) {
  const Event* found = nullptr;
  for (const auto& e : p.events) {
    if (e.kind == kind) {
      REQUIRE(found == nullptr);
      found = &e;
    }
  }
  REQUIRE(found != nullptr);
  return *found;
}

std::size_t count(const BatchPlan& p, std::string_view kind) {
  std::size_t n = 0;
  for (const auto& e : p.events) n += e.kind == kind ? 1U : 0U;
  return n;
}

}  // namespace

TEST_CASE("resolution: new devices get placeholders later items resolve to", "[server][ingest]") {
  const std::vector<KnownDevice> candidates = {{5, identity("OLD", "10.0.0.9")}};
  const std::vector<DeviceIdentity> ids = {identity("A", "10.0.0.1"), identity("A", "10.0.0.1"),
                                           identity("OLD", "10.0.0.9"), identity("B", "10.0.0.2")};
  const auto r = resolveBatch(ids, candidates);
  CHECK(r.itemDevice == std::vector<std::int64_t>{-1, -1, 5, -2});
  REQUIRE(r.newDevices.size() == 2);
  CHECK(r.newDevices[0].item == 0);
  CHECK(r.newDevices[1].identity.serial == "B");
  CHECK_FALSE(r.newDevices[0].replaced);
}

TEST_CASE("resolution: a new serial at a known device's address replaced it", "[server][ingest]") {
  const std::vector<KnownDevice> candidates = {{5, identity("OLD", "10.0.0.9")}};
  const std::vector<DeviceIdentity> ids = {identity("NEW", "10.0.0.9")};
  const auto r = resolveBatch(ids, candidates);
  REQUIRE(r.newDevices.size() == 1);
  REQUIRE(r.newDevices[0].replaced);
  CHECK(r.newDevices[0].replaced->id == 5);
}

TEST_CASE("plan: a new device, its events and its first capabilities", "[server][ingest]") {
  Rig rig;
  auto& d = rig.devices[9];
  d.device = {9, identity("N1")};
  d.collectorId = kCollector;
  rig.input.newDevices.emplace(9, NewDevice{0, identity("N1"), KnownDevice{5, identity("OLD")}});
  Reading r = reading(kT0, "N1");
  r.capabilities.color = true;
  rig.add(9, r);
  const auto p = rig.plan();
  CHECK(kinds(p) == std::vector<std::string>{"new_device", "device_swapped"});
  CHECK(json::parse(only(p, "device_swapped").detail)["previous_serial"] == "OLD");
  REQUIRE(p.devices.size() == 1);
  CHECK(p.devices[0].capabilities);
  REQUIRE(p.latest.size() == 1);
  CHECK(p.latest[0].counters == openmps::model::Counters{{"total", 1000}});
}

TEST_CASE("plan: identity changes, a moved device and nothing written when nothing changed",
          "[server][ingest]") {
  Rig rig;
  rig.stored(1);
  rig.add(1, reading(kT0));
  auto p = rig.plan();
  CHECK(p.events.empty());
  CHECK(p.devices.empty());

  Rig moved;
  moved.stored(1).collectorId = 12;
  Reading r = reading(kT0);
  r.identity.firmware = "2.0";
  moved.add(1, r);
  p = moved.plan();
  CHECK(kinds(p) == std::vector<std::string>{"firmware_changed", "device_moved"});
  REQUIRE(p.devices.size() == 1);
  CHECK(p.devices[0].identity.firmware == "2.0");
}

TEST_CASE("plan: counters backwards, reset, and in time order", "[server][ingest]") {
  Rig rig;
  rig.stored(1).counters = {{"total", 50'000}, {"mono", 40'000}};
  Reading later = reading(kT0 + 1h);
  later.counters = {{"total", 100}, {"mono", 39'000}};
  Reading earlier = reading(kT0);
  earlier.counters = {{"total", 50'100}, {"mono", 40'100}};
  rig.add(1, later);    // sent first, read later
  rig.add(1, earlier);  // walked first
  const auto p = rig.plan();
  REQUIRE(p.items.size() == 2);
  CHECK(p.items[0].item == 1);
  CHECK(p.items[0].backwards.empty());
  CHECK(p.items[1].backwards == std::vector<std::string>{"mono", "total"});
  CHECK(json::parse(only(p, "counter_reset").detail)["counter"] == "total");
  CHECK(json::parse(only(p, "counter_backwards").detail)["counter"] == "mono");
  CHECK(p.latest[0].counters->at("total") == 100);
  CHECK(p.latest[0].countersAt == kT0 + 1h);
}

TEST_CASE("plan: a counter rising faster than a printer can print", "[server][ingest]") {
  Rig rig;
  rig.stored(1).counters = {{"total", 1000}};  // read 24 h before
  Reading r = reading(kT0);
  r.counters = {{"total", 1000 + 200 * 24 * 60 + 51}};
  rig.add(1, r);
  auto p = rig.plan();
  const auto detail = json::parse(only(p, "counter_jump").detail);
  CHECK(detail["counters"][0]["counter"] == "total");
  CHECK(detail["minutes"] == 24 * 60);

  Rig fine;
  fine.stored(1).counters = {{"total", 1000}};
  r.counters = {{"total", 1000 + 200 * 24 * 60}};
  fine.add(1, r);
  CHECK(count(fine.plan(), "counter_jump") == 0);
  PlannerOptions strict;
  strict.jumpPagesPerMinute = 10;
  CHECK(count(fine.plan(strict), "counter_jump") == 1);
}

TEST_CASE("plan: status conditions raised and cleared in reading order", "[server][ingest]") {
  Rig rig;
  rig.stored(1);
  Reading jam = reading(kT0);
  jam.status.errors = {"jammed", "lowToner"};
  Reading clear = reading(kT0 + 5min);
  Reading door = reading(kT0 + 10min);
  door.status.alerts.push_back({1, "critical", "cover", 501, "Front door open"});
  door.status.vendorCode = "E-42";
  rig.add(1, clear);
  rig.add(1, jam);
  rig.add(1, door);
  const auto p = rig.plan();
  REQUIRE(kinds(p) == std::vector<std::string>{"status_raised", "status_cleared", "status_raised",
                                               "status_raised"});
  CHECK(json::parse(p.events[0].detail)["condition"] == "jam");
  CHECK(p.events[0].at == kT0);
  CHECK(json::parse(p.events[1].detail)["condition"] == "jam");
  CHECK(p.events[1].at == kT0 + 5min);
  CHECK(json::parse(p.events[2].detail)["condition"] == "door_open");
  CHECK(json::parse(p.events[3].detail)["condition"] == "vendor_error");
  CHECK(json::parse(p.events[3].detail)["subject"] == "E-42");
}

TEST_CASE("plan: a condition already stored is not raised again; older readings change nothing",
          "[server][ingest]") {
  Rig rig;
  auto& d = rig.stored(1);
  d.status.errors = {"jammed"};
  d.statusAt = kT0;
  Reading still = reading(kT0 + 1min);
  still.status.errors = {"jammed"};
  Reading old = reading(kT0 - 1h);  // older than what is stored: no jam in it
  rig.add(1, still);
  rig.add(1, old);
  CHECK(rig.plan().events.empty());
}

TEST_CASE("plan: supply levels crossing the watched levels, replacements", "[server][ingest]") {
  Rig rig;
  auto& d = rig.stored(1);
  d.levels = {level(toner(1, 25, "C1"))};
  std::vector<int> levels = {18, 15, 8, 0, 95};
  for (std::size_t i = 0; i < levels.size(); ++i) {
    Reading r = reading(kT0 + std::chrono::hours(i));
    r.supplies = {toner(1, levels[i], i == 4 ? "C2" : "C1")};
    rig.add(1, r);
  }
  const auto p = rig.plan();
  REQUIRE(kinds(p) == std::vector<std::string>{"supply_level", "supply_level", "supply_level",
                                               "supply_replaced"});
  CHECK(json::parse(p.events[0].detail)["after"] == 18);
  CHECK(json::parse(p.events[0].detail)["before"] == 25);
  CHECK(json::parse(p.events[0].detail)["family"] == "toner");
  CHECK(json::parse(p.events[1].detail)["after"] == 8);
  CHECK(json::parse(p.events[2].detail)["after"] == 0);
  CHECK(json::parse(p.events[3].detail)["serial"] == "C2");
  CHECK(json::parse(p.events[3].detail)["serial_before"] == "C1");
}

TEST_CASE("plan: a level jumping up is a replacement too; unknown levels say nothing",
          "[server][ingest]") {
  Rig rig;
  rig.stored(1).levels = {level(toner(1, 5))};
  Reading up = reading(kT0);
  up.supplies = {toner(1, 100)};
  Reading unknown = reading(kT0 + 1h);
  unknown.supplies = {toner(1, std::nullopt)};
  unknown.supplies[0].state = SupplyState::kUnknown;
  rig.add(1, up);
  rig.add(1, unknown);
  CHECK(kinds(rig.plan()) == std::vector<std::string>{"supply_replaced"});
}

TEST_CASE("plan: paper trays sharing a supply's index change no supply event", "[server][ingest]") {
  Rig rig;
  Supply tray = toner(1, 100);
  tray.type = "input";
  tray.description = "Tray 1";
  rig.stored(1).levels = {level(toner(1, 50))};  // the store leaves trays out
  Reading r = reading(kT0);
  Supply emptyTray = tray;
  emptyTray.levelPercent = 0;
  r.supplies = {toner(1, 49), emptyTray};
  rig.add(1, r);
  CHECK(rig.plan().events.empty());
}

TEST_CASE("plan: a device low at its first reading is an event", "[server][ingest]") {
  Rig rig;
  rig.devices[9].device = {9, identity("N1")};
  rig.input.newDevices.emplace(9, NewDevice{0, identity("N1"), std::nullopt});
  Reading r = reading(kT0, "N1");
  r.supplies = {toner(1, 12)};
  rig.add(9, r);
  CHECK(kinds(rig.plan()) == std::vector<std::string>{"new_device", "supply_level"});
}

TEST_CASE("plan: back after silence", "[server][ingest]") {
  Rig rig;
  rig.stored(1).lastSeen = kT0 - 5 * 24h;
  rig.add(1, reading(kT0));
  rig.add(1, reading(kT0 + 1h));
  const auto p = rig.plan();
  const auto& back = only(p, "device_back");
  CHECK(back.at == kT0);
  CHECK(json::parse(back.detail)["hours"] == 120);
  PlannerOptions patient;
  patient.backAfter = 6 * 24h;
  CHECK(count(rig.plan(patient), "device_back") == 0);
}

TEST_CASE("plan: items stored before count for nothing", "[server][ingest]") {
  Rig rig;
  rig.stored(1);
  Reading jam = reading(kT0);
  jam.status.errors = {"jammed"};
  rig.add(1, jam, false);
  const auto p = rig.plan();
  CHECK(p.items.empty());
  CHECK(p.events.empty());
  CHECK(p.latest.empty());
}

TEST_CASE("plan: with detection off only the history events remain", "[server][ingest]") {
  Rig rig;
  rig.stored(1).counters = {{"total", 5000}};
  rig.devices[1].levels = {level(toner(1, 50))};
  Reading r = reading(kT0);
  r.counters = {{"total", 4000}};
  r.status.errors = {"jammed"};
  r.supplies = {toner(1, 5)};
  rig.add(1, r);
  PlannerOptions off;
  off.detectEvents = false;
  CHECK(kinds(rig.plan(off)) == std::vector<std::string>{"counter_backwards"});
}

TEST_CASE("plan: supply descriptions written only when they change", "[server][ingest]") {
  Rig rig;
  rig.stored(1).described[1] = toner(1, 50);
  Reading same = reading(kT0);
  same.supplies = {toner(1, 40)};
  rig.add(1, same);
  CHECK(rig.plan().supplies.empty());
  rig.batch.items[0].reading.supplies[0].partNumber = "TK-1150";
  const auto p = rig.plan();
  REQUIRE(p.supplies.size() == 1);
  CHECK(p.supplies[0].supply->partNumber == "TK-1150");
}

TEST_CASE("counter resets are drops below 1 %", "[server][ingest]") {
  CHECK(isCounterReset(100'000, 0));
  CHECK(isCounterReset(100'000, 999));
  CHECK_FALSE(isCounterReset(100'000, 1000));
  CHECK_FALSE(isCounterReset(100'000, 99'000));
  CHECK_FALSE(isCounterReset(100, 200));
}
