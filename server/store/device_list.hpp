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
// What the definition that read a device reads it as (devices.kind).
enum class KindFilter { kAny, kPrinter, kScanner };

// Where the previous page ended: the sort key's text and the device id.
struct DeviceCursor {
  std::string key;
  std::int64_t id = 0;
  bool operator==(const DeviceCursor&) const = default;
};

struct DeviceListQuery {
  std::int64_t customerId = 0;  // 0: every customer in scope
  std::int64_t dealerId = 0;    // 0: every dealer's customers in scope
  std::int64_t siteId = 0;      // 0: any site (or none)
  std::int64_t groupId = 0;     // 0: in any device group (or none)
  std::string search;           // in serial, manufacturer, model, address, host name, location
  DeviceCondition condition = DeviceCondition::kAny;
  SupplyFilter supply = SupplyFilter::kAny;
  ReportingFilter reporting = ReportingFilter::kAny;
  KindFilter kind = KindFilter::kAny;
  DeviceSort sort = DeviceSort::kSerial;
  bool descending = false;
  int limit = 50;
  std::optional<DeviceCursor> after;
  // The caller's own dealer and customer (organisations.path below the
  // root; 0 above them). Row-level security decides what is visible; these
  // only let a sort by last seen walk that tenant's rows (tenantFilter).
  std::int64_t callerDealerId = 0;
  std::int64_t callerCustomerId = 0;
};

// The customer ($1) and dealer ($14) a query is limited to: the filters
// asked for, and, sorted by last seen, the caller's own place when no
// filter narrows it further. Only there: device_latest's per-tenant
// indexes hold that order, and the walk of the global one passes every
// other tenant's rows; for the other sorts a filter that repeats the
// row-level security halves the planner's estimate and makes it sort
// every visible device instead of walking the sort's index.
struct TenantFilter {
  std::int64_t customerId = 0;
  std::int64_t dealerId = 0;
  bool operator==(const TenantFilter&) const = default;
};
TenantFilter tenantFilter(const DeviceListQuery& q);

// A device is not reporting when its last reading is older than this; a
// supply is low at or below this level.
inline constexpr std::chrono::hours kSilentAfter{48};
// A collector is silent when it has not reported for this long (a client
// sends at least once a day even when its outbox is empty).
inline constexpr std::chrono::hours kCollectorSilentAfter{24};
inline constexpr int kLowSupplyPercent = 15;

// "serial", "-model", ...: the sort and its direction; nullopt when unknown.
std::optional<std::pair<DeviceSort, bool>> parseDeviceSort(std::string_view text);
std::string_view toString(DeviceSort sort);
std::optional<DeviceCondition> parseDeviceCondition(std::string_view text);
std::optional<SupplyFilter> parseSupplyFilter(std::string_view text);
std::optional<ReportingFilter> parseReportingFilter(std::string_view text);
std::optional<KindFilter> parseKindFilter(std::string_view text);
// The devices.kind value a filter selects; empty for kAny.
std::string_view toString(KindFilter kind);

// Opaque to clients (base64url of key and id); nullopt for anything that
// is not one of ours.
std::string encodeCursor(const DeviceCursor& cursor);
std::optional<DeviceCursor> decodeCursor(std::string_view text);

// The sort's key as text, the cursor's key (d = devices, c = the
// customer, l = device_latest): text sorts order and compare by it;
// last_seen by the timestamp it writes out.
std::string_view sortKeySql(DeviceSort sort);
// Whether a decoded cursor can be the end of a page in this sort (a
// last_seen key must read back as a timestamp); a cursor of another sort
// is refused rather than turned into a database error.
bool cursorFitsSort(const DeviceCursor& cursor, DeviceSort sort);
// The last seen a person is shown (l = device_latest): none until the
// first reading, although the row holds the first-seen time as its
// last_seen_at, the list's sort key, from the moment the device exists.
inline constexpr std::string_view kShownLastSeenSql =
    "(CASE WHEN l.status_at IS NOT NULL THEN l.last_seen_at END)";
// A LIKE pattern matching `search` anywhere, with %, _ and \ taken literally.
std::string likePattern(std::string_view search);

// The statement for one sort and direction ($1 customer, $2 pattern or
// '', $3 condition, $4 supply, $5 reporting, $6 silent-since, $7 low
// percent, $8 cursor key or NULL, $9 cursor id, $10 limit, $11 site or 0,
// $12 device group or 0, $13 kind or '', $14 dealer or 0; $1 and $14 from
// tenantFilter), and its name. It runs in the caller's scope:
// row-level security decides which devices it sees. Columns: id, serial,
// manufacturer, model, ip, host name, location, customer id and name, last
// seen, status, counters, supplies, sort key, site id and name
// (kListSiteColumn).
std::string deviceListSql(DeviceSort sort, bool descending);
inline constexpr int kListSiteColumn = 14;
std::string deviceListStatementName(DeviceSort sort, bool descending);

}  // namespace openmps::server::store
