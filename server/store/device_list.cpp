#include "server/store/device_list.hpp"

#include <array>
#include <charconv>

#include "shared/util/base64.hpp"

namespace openmps::server::store {
namespace {

struct SortName {
  DeviceSort sort;
  std::string_view name;
  std::string_view sql;
};

// Text keys: every sort compares (key, id) the same way. last_seen sorts
// by an ISO timestamp with microseconds (text order is time order).
constexpr std::array<SortName, 6> kSorts = {{
    {DeviceSort::kSerial, "serial", "d.serial"},
    {DeviceSort::kModel, "model", "lower(d.manufacturer || ' ' || d.model)"},
    {DeviceSort::kCustomer, "customer", "lower(c.name)"},
    {DeviceSort::kAddress, "ip", "d.ip"},
    {DeviceSort::kLocation, "location", "lower(d.location)"},
    {DeviceSort::kLastSeen, "last_seen",
     "to_char(coalesce(l.last_seen_at, d.first_seen_at) AT TIME ZONE 'UTC', "
     "'YYYY-MM-DD\"T\"HH24:MI:SS.US')"},
}};

// The condition (2 error, 1 warning, 0 fine; device_latest.condition) and
// the search (openmps_device_search over devices.search_text) are
// migration 0013's, indexed there: the list, the dashboard's counts and the
// indexes use the same expressions.
constexpr std::string_view kConditionSql = "l.condition";
// The alert engine's forecast sweep keeps one open "runs_out" alert per
// supply that will be empty before the customer's order lead time.
constexpr std::string_view kOrderSql =
    "EXISTS (SELECT 1 FROM alerts a WHERE a.device_id = d.id AND a.condition = 'runs_out'"
    " AND a.state = 'open')";
constexpr std::string_view kLowSql =
    "EXISTS (SELECT 1 FROM json_array_elements(coalesce(l.supplies, '[]')) s WHERE "
    "(s->>'level_percent')::int <= $7 OR s->>'state' IN ('low', 'empty'))";

// Sorted by customer, the list walks the customers in name order (the
// organisations_kind_name index, which needs the kind) and their devices,
// stopping after a page: without the kind, PostgreSQL sorted every visible
// device, 2-4 s for the operator's 100,000. A device's customer_id always
// names a customer, so no row is lost.
constexpr std::string_view kCustomerOrderSql = " AND c.kind = 'customer'";

}  // namespace

std::optional<std::pair<DeviceSort, bool>> parseDeviceSort(std::string_view text) {
  const bool descending = text.starts_with('-');
  if (descending) text.remove_prefix(1);
  for (const auto& s : kSorts) {
    if (s.name == text) return std::pair{s.sort, descending};
  }
  return std::nullopt;
}

std::string_view toString(DeviceSort sort) {
  for (const auto& s : kSorts) {
    if (s.sort == sort) return s.name;
  }
  return "serial";
}

std::optional<DeviceCondition> parseDeviceCondition(std::string_view text) {
  if (text.empty()) return DeviceCondition::kAny;
  if (text == "error") return DeviceCondition::kError;
  if (text == "warning") return DeviceCondition::kWarning;
  if (text == "ok") return DeviceCondition::kOk;
  return std::nullopt;
}

std::optional<SupplyFilter> parseSupplyFilter(std::string_view text) {
  if (text.empty()) return SupplyFilter::kAny;
  if (text == "low") return SupplyFilter::kLow;
  if (text == "order") return SupplyFilter::kOrder;
  return std::nullopt;
}

std::optional<ReportingFilter> parseReportingFilter(std::string_view text) {
  if (text.empty()) return ReportingFilter::kAny;
  if (text == "silent") return ReportingFilter::kSilent;
  if (text == "recent") return ReportingFilter::kRecent;
  return std::nullopt;
}

std::optional<KindFilter> parseKindFilter(std::string_view text) {
  if (text.empty()) return KindFilter::kAny;
  if (text == "printer") return KindFilter::kPrinter;
  if (text == "scanner") return KindFilter::kScanner;
  return std::nullopt;
}

std::string_view toString(KindFilter kind) {
  switch (kind) {
    case KindFilter::kPrinter: return "printer";
    case KindFilter::kScanner: return "scanner";
    case KindFilter::kAny: break;
  }
  return "";
}

std::string encodeCursor(const DeviceCursor& cursor) {
  return util::toBase64Url(std::to_string(cursor.id) + ":" + cursor.key);
}

std::optional<DeviceCursor> decodeCursor(std::string_view text) {
  if (text.size() > 2048) return std::nullopt;
  const auto raw = util::fromBase64Url(text);
  if (!raw) return std::nullopt;
  const auto colon = raw->find(':');
  if (colon == std::string::npos || colon == 0 || colon > 18) return std::nullopt;
  DeviceCursor c;
  const auto* end = raw->data() + colon;
  const auto [ptr, ec] = std::from_chars(raw->data(), end, c.id);
  if (ec != std::errc{} || ptr != end || c.id <= 0) return std::nullopt;
  c.key = raw->substr(colon + 1);
  return c;
}

std::string_view sortKeySql(DeviceSort sort) {
  for (const auto& s : kSorts) {
    if (s.sort == sort) return s.sql;
  }
  return kSorts[0].sql;
}

std::string likePattern(std::string_view search) {
  std::string out = "%";
  for (const char c : search) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

std::string deviceListStatementName(DeviceSort sort, bool descending) {
  return std::string("devices_list_") + std::string(toString(sort)) +
         (descending ? "_desc" : "_asc");
}

std::string deviceListSql(DeviceSort sort, bool descending) {
  const std::string key(sortKeySql(sort));
  const std::string dir = descending ? " DESC" : "";
  const std::string cmp = descending ? "<" : ">";
  std::string sql =
      "SELECT d.id, d.serial, d.manufacturer, d.model, d.ip, d.host_name, d.location, c.id, c.name,"
      " to_char(l.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
      " coalesce(l.status, '{}')::text, coalesce(l.counters, '{}')::text,"
      " coalesce(l.supplies, '[]')::text, " +
      key +
      " AS sort_key, s.id, s.name, d.kind"
      " FROM devices d JOIN organisations c ON c.id = d.customer_id"
      " LEFT JOIN device_latest l ON l.device_id = d.id"
      " LEFT JOIN organisations s ON s.id = d.site_id"
      // Row-level security alone limits the rows to the caller's scope: a
      // second filter on the path here would halve the planner's estimate
      // again and make it sort every visible device instead of walking the
      // sort's index (100 ms instead of 7 for a dealer's first page).
      " WHERE true" +
      std::string(sort == DeviceSort::kCustomer ? kCustomerOrderSql : "") +
      " AND ($1::bigint = 0 OR d.customer_id = $1)"
      " AND ($11::bigint = 0 OR d.site_id = $11)"
      " AND ($12::bigint = 0 OR EXISTS (SELECT 1 FROM device_group_members m"
      "  WHERE m.device_id = d.id AND m.group_id = $12))"
      " AND ($13::text = '' OR d.kind = $13)"
      " AND ($2::text = '' OR d.id IN (SELECT openmps_device_search(lower($2))))"
      " AND ($3::text = '' OR ($3 = 'error' AND " +
      std::string(kConditionSql) + " = 2) OR ($3 = 'warning' AND " + std::string(kConditionSql) +
      " = 1) OR ($3 = 'ok' AND " + std::string(kConditionSql) +
      " = 0))"
      " AND ($4::text = '' OR ($4 = 'low' AND " +
      std::string(kLowSql) + ") OR ($4 = 'order' AND " + std::string(kOrderSql) +
      "))"
      " AND ($5::text = '' OR ($5 = 'silent') = (coalesce(l.last_seen_at, d.first_seen_at) < "
      "$6::timestamptz))"
      " AND ($8::text IS NULL OR (" +
      key + ", d.id) " + cmp + " ($8::text, $9::bigint))" + " ORDER BY sort_key" + dir + ", d.id" +
      dir + " LIMIT $10";
  return sql;
}

}  // namespace openmps::server::store
