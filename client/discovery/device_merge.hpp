#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/discovery/known_device.hpp"
#include "client/discovery/sweep.hpp"

// What a sweep's findings change in the set of known devices. Pure: the
// daemon stores the result (DeviceStore::saveSweep) and schedules reads.
namespace openmps::client::discovery {

struct DeviceMove {
  std::uint64_t device = 0;
  std::string from;  // "host:port"
  std::string to;
};

struct MergeResult {
  // Devices to store: new ones (id 0) and known ones whose address,
  // credential or identity changed, each once, in its final state.
  std::vector<KnownDevice> changed;
  std::vector<DeviceMove> moved;
  // Known devices whose address another device answers on now: not read
  // until a sweep finds them again (by serial or MAC).
  std::vector<std::uint64_t> displaced;
  std::size_t added = 0;
};

// A found printer is the known device with the same serial number; else
// the one with the same MAC address (unless both have serials that
// differ); else the one at the same address and port whose identity does
// not contradict it. Otherwise it is new. Non-printers are ignored; found
// should already be deduplicated (dedupe()), so a device answering on two
// addresses is one device.
MergeResult mergeSweep(std::vector<KnownDevice> known, const std::vector<FoundDevice>& found,
                       WallTime at);

}  // namespace openmps::client::discovery
