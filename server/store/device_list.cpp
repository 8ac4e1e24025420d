#include "server/store/device_list.hpp"

#include <array>
#include <charconv>

#include "server/store/supply_sql.hpp"
#include "shared/util/base64.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::store {
namespace {

struct SortName {
  DeviceSort sort;
  std::string_view name;
  std::string_view sql;  // the key as text, for the cursor
  // What the page is ordered by and compared with the cursor's key ($8)
  // and id ($9) when that is not the key's text itself: a typed column
  // that an index holds in that order.
  std::string_view order;
  std::string_view id;
  std::string_view cursor;
};

constexpr std::string_view kLastSeenKeySql =
    "to_char(l.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')";

// Text keys compare (key, id) as text. last_seen's cursor key is an ISO
// timestamp with microseconds in UTC, but the page is ordered and compared
// by the timestamp itself and the device id of device_latest: the index
// device_latest_last_seen (migration 0017) holds exactly that order, so
// PostgreSQL walks it and stops after the page.
constexpr std::array<SortName, 6> kSorts = {{
    {DeviceSort::kSerial, "serial", "d.serial", "", "", ""},
    {DeviceSort::kModel, "model", "lower(d.manufacturer || ' ' || d.model)", "", "", ""},
    {DeviceSort::kCustomer, "customer", "lower(c.name)", "", "", ""},
    {DeviceSort::kAddress, "ip", "openmps_address_sort_key(d.ip)", "", "", ""},
    {DeviceSort::kLocation, "location", "lower(d.location)", "", "", ""},
    {DeviceSort::kLastSeen, "last_seen", kLastSeenKeySql, "l.last_seen_at", "l.device_id",
     "$8::text::timestamp AT TIME ZONE 'UTC'"},
}};

const SortName& sortName(DeviceSort sort) {
  for (const auto& s : kSorts) {
    if (s.sort == sort) return s;
  }
  return kSorts[0];
}

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
std::string lowSql() {
  return "EXISTS (SELECT 1 FROM json_array_elements(coalesce(l.supplies, '[]')) s WHERE " +
         std::string(kOrderableSupplySql) +
         " AND ((s->>'level_percent')::int <= $7 OR s->>'state' IN ('low', 'empty')))";
}

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

TenantFilter tenantFilter(const DeviceListQuery& q) {
  TenantFilter f{q.customerId, q.dealerId};
  if (q.sort != DeviceSort::kLastSeen) return f;
  if (f.customerId == 0) f.customerId = q.callerCustomerId;
  if (f.dealerId == 0) f.dealerId = q.callerDealerId;
  return f;
}

std::string_view sortKeySql(DeviceSort sort) {
  return sortName(sort).sql;
}

bool cursorFitsSort(const DeviceCursor& cursor, DeviceSort sort) {
  if (sort != DeviceSort::kLastSeen) return true;
  // Exactly what kLastSeenKeySql writes: PostgreSQL must be able to read
  // it back as a timestamp.
  return cursor.key.size() == 26 && cursor.key[19] == '.' &&
         util::parseRfc3339(cursor.key + "Z").has_value();
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

namespace {

// Sorted by last seen, PostgreSQL starts from device_latest's index: an
// inner join (every device has its row) lets it; the others keep the
// devices' own indexes in front.
std::string fromSql(DeviceSort sort) {
  const std::string devices = sort == DeviceSort::kLastSeen
                                  ? " FROM device_latest l JOIN devices d ON d.id = l.device_id"
                                    " JOIN organisations c ON c.id = d.customer_id"
                                  : " FROM devices d JOIN organisations c ON c.id = d.customer_id"
                                    " LEFT JOIN device_latest l ON l.device_id = d.id";
  return devices + " LEFT JOIN organisations s ON s.id = d.site_id";
}

// Where the page starts after the cursor, and its order.
std::string pageSql(const SortName& s, bool descending) {
  const std::string dir = descending ? " DESC" : "";
  const std::string cmp = descending ? "<" : ">";
  const bool typed = !s.order.empty();
  const std::string order(typed ? s.order : s.sql);
  const std::string id(typed ? s.id : "d.id");
  const std::string cursor(typed ? s.cursor : "$8::text");
  return " AND ($8::text IS NULL OR (" + order + ", " + id + ") " + cmp + " (" + cursor +
         ", $9::bigint)) ORDER BY " + (typed ? order : std::string("sort_key")) + dir + ", " + id +
         dir + " LIMIT $10";
}

// Sorted by last seen, the tenant is device_latest's, the leading column
// of the index the page walks (migration 0019); the same devices as the
// customer's and its dealer's.
std::string tenantSql(DeviceSort sort) {
  if (sort == DeviceSort::kLastSeen) {
    return " AND ($1::bigint = 0 OR l.customer_id = $1)"
           " AND ($14::bigint = 0 OR l.dealer_id = $14)";
  }
  return " AND ($1::bigint = 0 OR d.customer_id = $1)"
         " AND ($14::bigint = 0 OR c.parent_id = $14)";
}

}  // namespace

std::string deviceListSql(DeviceSort sort, bool descending) {
  const SortName& s = sortName(sort);
  std::string sql =
      "SELECT d.id, d.serial, d.manufacturer, d.model, d.ip, d.host_name, d.location, c.id, c.name,"
      " to_char(" +
      std::string(kShownLastSeenSql) +
      " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
      " coalesce(l.status, '{}')::text, coalesce(l.counters, '{}')::text,"
      " coalesce(l.supplies, '[]')::text, " +
      std::string(s.sql) + " AS sort_key, s.id, s.name, d.kind" + fromSql(sort) +
      // Row-level security alone limits the rows to the caller's scope: a
      // second filter on the path here would halve the planner's estimate
      // again and make it sort every visible device instead of walking the
      // sort's index (100 ms instead of 7 for a dealer's first page).
      " WHERE true" + std::string(sort == DeviceSort::kCustomer ? kCustomerOrderSql : "") +
      tenantSql(sort) +
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
      lowSql() + ") OR ($4 = 'order' AND " + std::string(kOrderSql) +
      "))"
      " AND ($5::text = '' OR ($5 = 'silent') = (coalesce(l.last_seen_at, d.first_seen_at) < "
      "$6::timestamptz))" +
      pageSql(s, descending);
  return sql;
}

}  // namespace openmps::server::store
