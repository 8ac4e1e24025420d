#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/events/conditions.hpp"
#include "server/events/event.hpp"
#include "server/ingest/device_resolver.hpp"
#include "shared/envelope/batch.hpp"

// The decisions of ingest, without a database: which device each reading
// belongs to (new ones included), which counters went backwards, what about
// a device changed and must be written, its latest state, and the events
// the batch shows. The store (server/store/pg_ingest_store.cpp) fetches the
// stored state, calls these two functions and applies the plan in the
// batch's transaction.
namespace openmps::server::ingest {

using TimePoint = std::chrono::system_clock::time_point;

// What the database knows about a candidate device before the batch.
struct StoredDevice {
  KnownDevice device;
  std::string capabilities = "{}";  // devices.capabilities as JSON text
  std::int64_t collectorId = 0;     // 0: none recorded
  // device_latest: the latest counters, supplies and status, and when.
  model::Counters counters;
  std::optional<TimePoint> countersAt;
  std::optional<TimePoint> statusAt;
  std::optional<TimePoint> lastSeen;
  model::Status status;
  // The latest supply levels (trays left out).
  std::vector<events::SupplyLevel> levels;
  // The supplies table: what each supply is (description, type, colour,
  // unit, class, part and serial number), by index.
  std::map<int, model::Supply> described;
};

// How events are told apart from noise. The store derives these from the
// alert rules in force (the most sensitive value of any rule), so the
// planner emits every event some rule may want and the alert engine
// applies each device's own rules.
struct PlannerOptions {
  bool detectEvents = true;  // false: history only (alerts switched off)
  // Supply levels watched, in percent, descending: crossing one is an event.
  std::vector<int> supplyPoints{20, 10};
  // A counter rising faster than this is an implausible jump.
  int jumpPagesPerMinute = 200;
  // A reading after this long without one brings device_back.
  std::chrono::seconds backAfter{std::chrono::hours(24 * 4)};
  // A level rising by this many points is a replaced supply.
  int replacedRise = 30;
};

// Phase 1: every item to a device. itemDevice[i] is a stored id (> 0) or
// -(k + 1) for newDevices[k], which later items of the batch may resolve
// to as well.
struct NewDevice {
  std::size_t item = 0;  // the reading that showed it first
  model::DeviceIdentity identity;
  // A device of the customer at the same address with another serial: the
  // new one replaced it there.
  std::optional<KnownDevice> replaced;
};

struct Resolution {
  std::vector<std::int64_t> itemDevice;
  std::vector<NewDevice> newDevices;
};

// identities: normalised, with the answering address as the IP where the
// device gave none. candidates: sorted by id (the oldest first).
Resolution resolveBatch(std::span<const model::DeviceIdentity> identities,
                        std::span<const KnownDevice> candidates);

// Phase 2 input: the resolution with real ids.
struct PlanInput {
  const envelope::Batch* batch = nullptr;
  std::span<const model::DeviceIdentity> identities;
  std::span<const std::int64_t> itemDevice;
  // Items the database had not stored before (per-item dedupe): only these
  // count.
  const std::set<std::int64_t>* newSeqs = nullptr;
  // Every device the batch touches; new ones too (with only their id and
  // identity).
  const std::unordered_map<std::int64_t, StoredDevice>* devices = nullptr;
  // The new devices by id, with what Resolution said about them.
  std::map<std::int64_t, NewDevice> newDevices;
  std::int64_t collectorId = 0;
  PlannerOptions options;
};

// The time-series rows of one reading, and its counters flagged as gone
// backwards (meter_readings.flags bit 0).
struct ItemRows {
  std::size_t item = 0;
  std::int64_t deviceId = 0;
  std::vector<std::string> backwards;
};

// A device row to rewrite: identity, capabilities (JSON; nullopt: keep)
// and the collector that reads it now.
struct DeviceUpdate {
  std::int64_t id = 0;
  model::DeviceIdentity identity;
  std::optional<std::string> capabilities;
};

// What the supplies table must learn (new or changed descriptions).
struct SupplyUpsert {
  std::int64_t deviceId = 0;
  const model::Supply* supply = nullptr;
};

// The latest state of a device after the batch: counters when newer ones
// came, the reading whose supplies and status are the latest in the batch.
struct LatestState {
  std::int64_t deviceId = 0;
  std::optional<model::Counters> counters;
  TimePoint countersAt;
  std::size_t statusItem = 0;
  TimePoint statusAt;
  TimePoint lastSeen;
};

struct BatchPlan {
  std::vector<ItemRows> items;  // in time order
  std::vector<DeviceUpdate> devices;
  std::vector<SupplyUpsert> supplies;  // by (device, index)
  std::vector<LatestState> latest;     // by device id
  std::vector<events::Event> events;   // in time order per device
};

BatchPlan planBatch(const PlanInput& input);

// Counter changes that are not use: a value lower than before is a reset
// when it fell below 1 % of it (a new controller, a counter cleared), else
// it went backwards (another device's value, a misread).
bool isCounterReset(std::int64_t before, std::int64_t after);

}  // namespace openmps::server::ingest
