#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/store/pg_devices.hpp"

// The device list's JSON, written straight into one buffer: a page of 100
// devices parsed each row's stored status, counters and supplies into
// nlohmann objects, rebuilt and dumped them, and that was most of the
// server's CPU per request. The stored JSON is read with util::JsonDocument
// (no allocation per value) and only what the API shows is copied out.
// Pure; the answer parses equal to what the schema DeviceSummary says.
namespace openmps::server::api {

// One DeviceSummary object.
void appendDeviceSummary(std::string& out, const store::DeviceListRow& row);
// A DevicePage: {"items": [...], "next_after": cursor or null}.
std::string devicePageJson(const std::vector<store::DeviceListRow>& rows,
                           const std::optional<std::string>& nextAfter);

}  // namespace openmps::server::api
