#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shared/model/reading.hpp"
#include "shared/util/secret.hpp"

// The fleet view: every device in a scope with its latest counters,
// supplies and status (the CLI's `fleet`, later the portal's list).
namespace openmps::server::store {

struct FleetDevice {
  std::int64_t id = 0;
  std::string customer;
  std::string dealer;
  std::uint64_t collectorId = 0;
  std::chrono::system_clock::time_point firstSeenAt;
  std::chrono::system_clock::time_point lastSeenAt;
  std::optional<std::chrono::system_clock::time_point> countersAt;
  std::optional<std::chrono::system_clock::time_point> statusAt;
  std::string pmd;  // definition used by the latest read
  model::DeviceIdentity identity;
  // As stored by ingest, in the shared JSON form (reading_json.hpp).
  std::string countersJson = "{}";
  std::string suppliesJson = "[]";
  std::string statusJson = "{}";
  std::string capabilitiesJson = "{}";
};

struct FleetScope {
  std::string kind = "all";  // all, dealer, customer
  std::string name;
  std::int64_t organisationId = 0;  // 0: everything
};

struct Fleet {
  FleetScope scope;
  std::chrono::system_clock::time_point generatedAt;
  std::vector<FleetDevice> devices;
};

// Devices of the organisation subtree (every device when organisationId is
// 0), ordered by customer and serial.
Fleet loadFleet(const util::Secret& databaseUri, const FleetScope& scope);

// server/README.md ("fleet --json") documents this document.
std::string fleetToJson(const Fleet& fleet);
// One line per device for people.
std::string fleetToText(const Fleet& fleet);

}  // namespace openmps::server::store
