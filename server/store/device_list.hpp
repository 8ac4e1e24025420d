#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The device list as the API offers it: who sees which devices (the
// caller's organisation subtree), search, filters, sort and keyset pages.
// Pure: the SQL for a query (pg_devices.cpp runs it) and the cursors.
namespace openmps::server::store {

enum class DeviceSort { kSerial, kModel, kCustomer, kAddress, kLocation, kLastSeen };
enum class DeviceCondition { kAny, kError, kWarning, kOk };
// kLow: a supply at or below the low level (or low or empty); kOrder: a
// supply the alert engine expects to run out before the customer's order
// lead time (an open "runs_out" alert).
enum class SupplyFilter { kAny, kLow, kOrder };
enum class ReportingFilter { kAny, kSilent, kRecent };

// Where the previous page ended: the sort key's text and the device id.
struct DeviceCursor {
  std::string key;
  std::int64_t id = 0;
  bool operator==(const DeviceCursor&) const = default;
};

struct DeviceListQuery {
  std::int64_t scopeOrganisationId = 0;  // the caller's organisation (its subtree)
  std::int64_t customerId = 0;           // 0: every customer in scope
  std::string search;  // in serial, manufacturer, model, address, host name, location
  DeviceCondition condition = DeviceCondition::kAny;
  SupplyFilter supply = SupplyFilter::kAny;
  ReportingFilter reporting = ReportingFilter::kAny;
  DeviceSort sort = DeviceSort::kSerial;
  bool descending = false;
  int limit = 50;
  std::optional<DeviceCursor> after;
};

// A device is not reporting when its last reading is older than this; a
// supply is low at or below this level.
inline constexpr std::chrono::hours kSilentAfter{48};
inline constexpr int kLowSupplyPercent = 15;

// "serial", "-model", ...: the sort and its direction; nullopt when unknown.
std::optional<std::pair<DeviceSort, bool>> parseDeviceSort(std::string_view text);
std::string_view toString(DeviceSort sort);
std::optional<DeviceCondition> parseDeviceCondition(std::string_view text);
std::optional<SupplyFilter> parseSupplyFilter(std::string_view text);
std::optional<ReportingFilter> parseReportingFilter(std::string_view text);

// Opaque to clients (base64url of key and id); nullopt for anything that
// is not one of ours.
std::string encodeCursor(const DeviceCursor& cursor);
std::optional<DeviceCursor> decodeCursor(std::string_view text);

// The SQL expression a sort orders by, as text (so one keyset comparison
// serves every sort); d = devices, c = the customer, l = device_latest.
std::string_view sortKeySql(DeviceSort sort);
// A LIKE pattern matching `search` anywhere, with %, _ and \ taken literally.
std::string likePattern(std::string_view search);

// The statement for one sort and direction ($1 scope, $2 customer, $3
// pattern or '', $4 condition, $5 supply, $6 reporting, $7 silent-since,
// $8 low percent, $9 cursor key or NULL, $10 cursor id, $11 limit), and
// its name.
std::string deviceListSql(DeviceSort sort, bool descending);
std::string deviceListStatementName(DeviceSort sort, bool descending);

}  // namespace openmps::server::store
