#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "shared/model/reading.hpp"

// Which stored device a reading belongs to, and what changed about it.
// Pure logic; the store loads the candidates and applies the outcome.
namespace openmps::server::ingest {

struct KnownDevice {
  std::int64_t id = 0;
  model::DeviceIdentity identity;
};

// Trims the serial, lower-cases the MAC: the forms devices are matched on.
model::DeviceIdentity normaliseIdentity(model::DeviceIdentity identity);

// Serial within the customer first; then MAC, then address, each only
// against a device that does not contradict the reading (a device with
// another serial is another device, even at the same MAC or address).
// nullopt: a new device.
std::optional<std::int64_t> resolveDevice(const model::DeviceIdentity& reading,
                                          std::span<const KnownDevice> known);

struct IdentityChange {
  std::string field;  // firmware, ip, mac, host_name, serial, model, location
  std::string before;
  std::string after;
  bool operator==(const IdentityChange&) const = default;
};

// Fields whose new value differs from the stored one. Empty new values do
// not count as changes: a device that failed to answer one OID keeps what
// we knew.
std::vector<IdentityChange> identityChanges(const model::DeviceIdentity& stored,
                                            const model::DeviceIdentity& reading);

// The stored identity updated with the non-empty fields of the reading.
model::DeviceIdentity mergeIdentity(const model::DeviceIdentity& stored,
                                    const model::DeviceIdentity& reading);

// Counter names whose new value is lower than the previous one (device
// swapped, counter reset). They are stored and flagged, never dropped.
std::vector<std::string> countersGoneBackwards(const model::Counters& previous,
                                               const model::Counters& current);

}  // namespace openmps::server::ingest
