#include "server/store/pg_devices.hpp"

#include <array>

#include <pqxx/pqxx>

#include "shared/util/time_format.hpp"

namespace openmps::server::store {
namespace {

constexpr const char* kIso = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";

struct Statement {
  const char* name;
  std::string sql;
};

// Every statement of this adapter but the list's (device_list.cpp writes
// one per sort), by name.
const std::array<Statement, 6>& statements() {
  static const std::array<Statement, 6> kStatements = {{
      {"devices_get",
       std::string("SELECT d.id, d.serial, d.manufacturer, d.model, d.ip, d.host_name, d.location,"
                   " c.id, c.name, to_char(") +
           std::string(kShownLastSeenSql) + " AT TIME ZONE 'UTC', " + kIso +
           "), coalesce(l.status, '{}')::text, coalesce(l.counters, '{}')::text,"
           " coalesce(l.supplies, '[]')::text, '',"
           " d.mac, d.firmware, d.contact, d.sys_object_id, d.sys_descr,"
           " to_char(d.first_seen_at AT TIME ZONE 'UTC', " +
           kIso +
           "), coalesce(d.collector_id, 0), coalesce(col.name, ''), d.capabilities::text,"
           " c.order_lead_days, s.id, s.name, d.kind"
           " FROM devices d JOIN organisations c ON c.id = d.customer_id"
           " LEFT JOIN device_latest l ON l.device_id = d.id"
           " LEFT JOIN collectors col ON col.id = d.collector_id"
           " LEFT JOIN organisations s ON s.id = d.site_id"
           " WHERE d.id = $1 AND c.path @> ARRAY[$2::bigint]"},
      // Only a site of the device's own customer (the foreign key says so
      // too; this names the problem).
      {"devices_set_site",
       "UPDATE devices d SET site_id = $2 WHERE d.id = $1 AND ($2::bigint IS NULL OR EXISTS"
       " (SELECT 1 FROM organisations s WHERE s.id = $2 AND s.kind = 'site'"
       "  AND s.parent_id = d.customer_id))"},
      // $4: keep one reading per day (the day's last) rather than all.
      {"devices_meters",
       std::string("SELECT n.name, to_char(m.read_at AT TIME ZONE 'UTC', ") + kIso +
           "), m.value FROM ("
           " SELECT DISTINCT ON (counter_id, CASE WHEN $4 THEN date_trunc('day', read_at)"
           "   ELSE read_at END) counter_id, read_at, value"
           " FROM meter_readings WHERE device_id = $1 AND read_at >= $2 AND read_at <= $3"
           " ORDER BY counter_id, CASE WHEN $4 THEN date_trunc('day', read_at) ELSE read_at END,"
           "   read_at DESC) m"
           " JOIN counter_names n ON n.id = m.counter_id ORDER BY n.id, m.read_at"},
      {"devices_supply_levels",
       std::string("SELECT s.supply_index, coalesce(sp.description, ''), coalesce(sp.color, ''),"
                   " to_char(s.read_at AT TIME ZONE 'UTC', ") +
           kIso +
           "), s.level_percent FROM ("
           " SELECT DISTINCT ON (supply_index, CASE WHEN $4 THEN date_trunc('day', read_at)"
           "   ELSE read_at END) supply_index, read_at, level_percent"
           " FROM supply_levels WHERE device_id = $1 AND read_at >= $2 AND read_at <= $3"
           "   AND level_percent IS NOT NULL"
           " ORDER BY supply_index, CASE WHEN $4 THEN date_trunc('day', read_at) ELSE read_at END,"
           "   read_at DESC) s"
           " LEFT JOIN supplies sp ON sp.device_id = $1 AND sp.supply_index = s.supply_index"
           " ORDER BY s.supply_index, s.read_at"},
      {"devices_events",
       std::string("SELECT id, to_char(at AT TIME ZONE 'UTC', ") + kIso +
           "), kind, detail::text FROM device_events"
           " WHERE device_id = $1 AND ($2::bigint = 0 OR id < $2) ORDER BY id DESC LIMIT $3"},
      {"devices_supply_histories",
       "SELECT sp.supply_index, sp.description, sp.color, sp.supply_class,"
       " (extract(epoch FROM h.read_at) * 1000)::bigint, h.level, h.max, h.level_percent"
       " FROM supplies sp LEFT JOIN supply_levels h ON h.device_id = sp.device_id"
       "  AND h.supply_index = sp.supply_index AND h.read_at >= $2"
       " WHERE sp.device_id = $1 AND sp.type <> 'input' ORDER BY sp.supply_index, h.read_at"},
  }};
  return kStatements;
}

std::string text(const pqxx::field& f) {
  return f.is_null() ? std::string() : f.as<std::string>();
}

// `site`: the column of the site's id (its name follows).
DeviceListRow listRow(const pqxx::row& r, int site) {
  DeviceListRow d;
  d.id = r[0].as<std::int64_t>();
  d.serial = text(r[1]);
  d.manufacturer = text(r[2]);
  d.model = text(r[3]);
  d.ip = text(r[4]);
  d.hostName = text(r[5]);
  d.location = text(r[6]);
  d.customerId = r[7].as<std::int64_t>();
  d.customerName = text(r[8]);
  d.lastSeenAt = text(r[9]);
  d.statusJson = text(r[10]);
  d.countersJson = text(r[11]);
  d.suppliesJson = text(r[12]);
  d.sortKey = text(r[13]);
  d.siteId = r[site].is_null() ? 0 : r[site].as<std::int64_t>();
  d.siteName = text(r[site + 1]);
  d.kind = text(r[site + 2]);
  return d;
}

// Ranges longer than two weeks keep one reading per day.
bool daily(TimePoint from, TimePoint to) {
  return to - from > std::chrono::hours(24 * 14);
}

}  // namespace

PgDevices::PgDevices(pqxx::transaction_base& txn) : txn_(txn) {
  for (const auto& s : statements()) txn_.conn().prepare(s.name, s.sql);
}

std::vector<DeviceListRow> PgDevices::list(const DeviceListQuery& q, TimePoint now) {
  const auto name = deviceListStatementName(q.sort, q.descending);
  txn_.conn().prepare(name, deviceListSql(q.sort, q.descending));
  // Each request's filters differ: plan for these values, not a generic plan.
  txn_.exec("SET LOCAL plan_cache_mode = force_custom_plan");
  const std::string condition = q.condition == DeviceCondition::kError     ? "error"
                                : q.condition == DeviceCondition::kWarning ? "warning"
                                : q.condition == DeviceCondition::kOk      ? "ok"
                                                                           : "";
  const std::string supply = q.supply == SupplyFilter::kLow     ? "low"
                             : q.supply == SupplyFilter::kOrder ? "order"
                                                                : "";
  const std::string reporting = q.reporting == ReportingFilter::kSilent   ? "silent"
                                : q.reporting == ReportingFilter::kRecent ? "recent"
                                                                          : "";
  const std::optional<std::string> afterKey =
      q.after ? std::optional<std::string>(q.after->key) : std::nullopt;
  const std::int64_t afterId = q.after ? q.after->id : 0;
  const auto tenant = tenantFilter(q);
  const auto rows = txn_.exec_prepared(
      name, tenant.customerId, q.search.empty() ? "" : likePattern(q.search), condition, supply,
      reporting, util::formatRfc3339(now - kSilentAfter), kLowSupplyPercent, afterKey, afterId,
      q.limit + 1, q.siteId, q.groupId, std::string(toString(q.kind)), tenant.dealerId);
  std::vector<DeviceListRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(listRow(r, kListSiteColumn));
  return out;
}

std::optional<DeviceDetail> PgDevices::get(std::int64_t id, std::int64_t scope) {
  const auto rows = txn_.exec_prepared("devices_get", id, scope);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  DeviceDetail d;
  d.row = listRow(r, 24);
  d.mac = text(r[14]);
  d.firmware = text(r[15]);
  d.contact = text(r[16]);
  d.sysObjectId = text(r[17]);
  d.sysDescr = text(r[18]);
  d.firstSeenAt = text(r[19]);
  d.collectorId = r[20].as<std::int64_t>();
  d.collectorName = text(r[21]);
  d.capabilitiesJson = text(r[22]);
  d.orderLeadDays = r[23].as<int>();
  return d;
}

bool PgDevices::setSite(std::int64_t id, std::optional<std::int64_t> siteId) {
  return txn_.exec_prepared("devices_set_site", id, siteId).affected_rows() == 1;
}

std::vector<CounterSeries> PgDevices::meters(std::int64_t id, TimePoint from, TimePoint to) {
  std::vector<CounterSeries> out;
  for (const auto& r : txn_.exec_prepared("devices_meters", id, util::formatRfc3339(from),
                                          util::formatRfc3339(to), daily(from, to))) {
    const std::string counter = r[0].as<std::string>();
    if (out.empty() || out.back().counter != counter) out.push_back({counter, {}});
    out.back().points.push_back({r[1].as<std::string>(), r[2].as<std::int64_t>()});
  }
  return out;
}

std::vector<SupplySeries> PgDevices::supplyLevels(std::int64_t id, TimePoint from, TimePoint to) {
  std::vector<SupplySeries> out;
  for (const auto& r : txn_.exec_prepared("devices_supply_levels", id, util::formatRfc3339(from),
                                          util::formatRfc3339(to), daily(from, to))) {
    const int index = r[0].as<int>();
    if (out.empty() || out.back().index != index) {
      out.push_back({index, text(r[1]), text(r[2]), {}});
    }
    out.back().points.push_back({r[3].as<std::string>(), r[4].as<std::int64_t>()});
  }
  return out;
}

std::vector<DeviceEventRow> PgDevices::events(std::int64_t id, std::int64_t before, int limit) {
  std::vector<DeviceEventRow> out;
  for (const auto& r : txn_.exec_prepared("devices_events", id, before, limit)) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                   r[3].as<std::string>()});
  }
  return out;
}

std::vector<SupplyHistory> PgDevices::supplyHistories(std::int64_t id, TimePoint since) {
  std::vector<SupplyHistory> out;
  for (const auto& r :
       txn_.exec_prepared("devices_supply_histories", id, util::formatRfc3339(since))) {
    const int index = r[0].as<int>();
    if (out.empty() || out.back().index != index) {
      out.push_back({index, text(r[1]), text(r[2]), text(r[3]), std::nullopt, {}});
    }
    if (r[4].is_null()) continue;
    forecast::LevelSample s;
    s.at = TimePoint{std::chrono::milliseconds{r[4].as<std::int64_t>()}};
    s.level = r[5].as<std::int64_t>();
    s.max = r[6].as<std::int64_t>();
    if (!r[7].is_null()) s.percent = r[7].as<int>();
    out.back().samples.push_back(std::move(s));
  }
  return out;
}

}  // namespace openmps::server::store
