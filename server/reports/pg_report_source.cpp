#include "server/reports/pg_report_source.hpp"

#include <charconv>

#include <pqxx/pqxx>

#include "server/alerts/dispatch.hpp"
#include "server/store/pg_array.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::reports {
namespace {

// Every statement of the reports, by name.
struct Statement {
  const char* name;
  const char* sql;
};

constexpr Statement kScopeByName = {
    "report_scope_by_name",
    "SELECT id, name, kind, time_zone, billing_day, locale FROM organisations "
    "WHERE kind = $1 AND lower(name) = lower($2)"};

constexpr Statement kScopeById = {
    "report_scope_by_id",
    "SELECT id, name, kind, time_zone, billing_day, locale FROM organisations WHERE id = $1"};

constexpr Statement kCustomers = {
    "report_customers",
    "SELECT id, name, time_zone, billing_day, order_lead_days, coalesce(parent_id, 0) "
    "FROM organisations WHERE kind = 'customer' AND path @> ARRAY[$1::bigint] ORDER BY "
    "lower(name), id"};

constexpr Statement kBillingDevices = {
    "report_billing_devices",
    "SELECT d.id, d.customer_id, d.serial, d.manufacturer, d.model, d.location, d.ip, "
    "(extract(epoch FROM d.first_seen_at) * 1000)::bigint, "
    "(extract(epoch FROM coalesce(l.counters_at, l.last_seen_at)) * 1000)::bigint "
    "FROM devices d LEFT JOIN device_latest l ON l.device_id = d.id "
    "WHERE d.customer_id = ANY($1::bigint[])"};

// The billing aggregate: for every counter of every device of the scope,
// the readings within a day of each bound of its customer's period and,
// where there are none on a side, the nearest reading on that side (the
// fallbacks run only then: their condition is fixed per row). A device
// with a reading flagged as lower than the one before (ingest's flags bit
// 0, found through the small partial index meter_readings_flagged) in or
// near the period gets every reading of that window, so the arithmetic
// sees the restart or the misreading.
constexpr Statement kBillingCounters = {
    "report_billing_counters",
    "WITH p AS (SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[]) "
    "  AS p(customer_id, s, e)), "
    "d AS (SELECT d.id AS device_id, p.s, p.e, l.counters, EXISTS (SELECT 1 FROM meter_readings f "
    "  WHERE f.device_id = d.id AND f.flags <> 0 AND f.read_at > p.s - interval '40 days' "
    "  AND f.read_at < p.e + interval '40 days') AS flagged "
    "  FROM p JOIN devices d ON d.customer_id = p.customer_id "
    "  JOIN device_latest l ON l.device_id = d.id), "
    "dc AS (SELECT d.*, cn.id AS counter_id, cn.name AS counter "
    "  FROM d CROSS JOIN LATERAL json_object_keys(d.counters) AS k(name) "
    "  JOIN counter_names cn ON cn.name = k.name "
    "  WHERE $4::text[] = '{}' OR cn.name = ANY($4::text[])) "
    "SELECT dc.device_id, dc.counter, (extract(epoch FROM dc.s) * 1000)::bigint, "
    " sw.ts, sw.vs, ew.ts, ew.vs, "
    " (extract(epoch FROM b0.read_at) * 1000)::bigint, b0.value, "
    " (extract(epoch FROM a0.read_at) * 1000)::bigint, a0.value, "
    " (extract(epoch FROM b1.read_at) * 1000)::bigint, b1.value, "
    " (extract(epoch FROM a1.read_at) * 1000)::bigint, a1.value, w.ts, w.vs "
    "FROM dc "
    "LEFT JOIN LATERAL (SELECT array_agg((extract(epoch FROM m.read_at) * 1000)::bigint ORDER BY "
    "m.read_at) ts, "
    "  array_agg(m.value ORDER BY m.read_at) vs, min(m.read_at) lo, max(m.read_at) hi FROM "
    "meter_readings m "
    "  WHERE m.device_id = dc.device_id AND m.counter_id = dc.counter_id "
    "  AND m.read_at BETWEEN dc.s - interval '24 hours' AND dc.s + interval '24 hours') sw ON true "
    "LEFT JOIN LATERAL (SELECT array_agg((extract(epoch FROM m.read_at) * 1000)::bigint ORDER BY "
    "m.read_at) ts, "
    "  array_agg(m.value ORDER BY m.read_at) vs, min(m.read_at) lo, max(m.read_at) hi FROM "
    "meter_readings m "
    "  WHERE m.device_id = dc.device_id AND m.counter_id = dc.counter_id "
    "  AND m.read_at BETWEEN dc.e - interval '24 hours' AND dc.e + interval '24 hours') ew ON true "
    "LEFT JOIN LATERAL (SELECT read_at, value FROM meter_readings m WHERE (sw.lo IS NULL OR sw.lo "
    "> dc.s) "
    "  AND m.device_id = dc.device_id AND m.counter_id = dc.counter_id AND m.read_at <= dc.s "
    "  AND m.read_at > dc.s - interval '400 days' ORDER BY m.read_at DESC LIMIT 1) b0 ON true "
    "LEFT JOIN LATERAL (SELECT read_at, value FROM meter_readings m WHERE (sw.hi IS NULL OR sw.hi "
    "<= dc.s) "
    "  AND m.device_id = dc.device_id AND m.counter_id = dc.counter_id AND m.read_at > dc.s "
    "  AND m.read_at < dc.e + interval '400 days' ORDER BY m.read_at LIMIT 1) a0 ON true "
    "LEFT JOIN LATERAL (SELECT read_at, value FROM meter_readings m WHERE (ew.lo IS NULL OR ew.lo "
    "> dc.e) "
    "  AND m.device_id = dc.device_id AND m.counter_id = dc.counter_id AND m.read_at <= dc.e "
    "  AND m.read_at > dc.s - interval '400 days' ORDER BY m.read_at DESC LIMIT 1) b1 ON true "
    "LEFT JOIN LATERAL (SELECT read_at, value FROM meter_readings m WHERE (ew.hi IS NULL OR ew.hi "
    "<= dc.e) "
    "  AND m.device_id = dc.device_id AND m.counter_id = dc.counter_id AND m.read_at > dc.e "
    "  AND m.read_at < dc.e + interval '400 days' ORDER BY m.read_at LIMIT 1) a1 ON true "
    "LEFT JOIN LATERAL (SELECT array_agg((extract(epoch FROM m.read_at) * 1000)::bigint ORDER BY "
    "m.read_at) ts, "
    "  array_agg(m.value ORDER BY m.read_at) vs FROM meter_readings m WHERE dc.flagged "
    "  AND m.device_id = dc.device_id AND m.counter_id = dc.counter_id "
    "  AND m.read_at > dc.s - interval '40 days' AND m.read_at < dc.e + interval '40 days') w ON "
    "true"};

// Supplies: each supply's levels where they changed (and the last one)
// since $2; the current cartridge's start is among them for all but drums
// older than that. Paper trays are not supplies a dealer orders: their
// level is the paper the customer puts in.
constexpr Statement kSupplyHistories = {
    "report_supply_histories",
    "SELECT sp.device_id, sp.supply_index, sp.description, sp.type, sp.color, sp.part_number, "
    " sp.supply_class, h.ts, h.levels, h.maxes, h.percents "
    "FROM supplies sp JOIN devices d ON d.id = sp.device_id "
    "LEFT JOIN LATERAL (SELECT array_agg(x.ms ORDER BY x.read_at) ts, array_agg(x.level ORDER BY "
    "x.read_at) levels, "
    "  array_agg(x.max ORDER BY x.read_at) maxes, "
    "  array_agg(coalesce(x.level_percent, -1000) ORDER BY x.read_at) percents "
    "  FROM (SELECT l.read_at, (extract(epoch FROM l.read_at) * 1000)::bigint AS ms, l.level, "
    "l.max, "
    "    l.level_percent, lag(l.level) OVER w AS prev, lead(l.level) OVER w AS next "
    "    FROM supply_levels l WHERE l.device_id = sp.device_id AND l.supply_index = "
    "sp.supply_index "
    "    AND l.read_at >= $2 WINDOW w AS (ORDER BY l.read_at)) x "
    "  WHERE x.prev IS DISTINCT FROM x.level OR x.next IS NULL) h ON true "
    "WHERE d.customer_id = ANY($1::bigint[]) AND sp.type NOT IN ('input', 'output') "
    "ORDER BY sp.device_id, sp.supply_index"};

// The total counter at given instants (the last reading at or before each).
constexpr Statement kTotalsAt = {
    "report_totals_at",
    "SELECT u.device_id, (extract(epoch FROM u.at) * 1000)::bigint, m.value "
    "FROM unnest($1::bigint[], $2::timestamptz[]) AS u(device_id, at) "
    "JOIN LATERAL (SELECT value FROM meter_readings m WHERE m.device_id = u.device_id "
    "  AND m.counter_id = (SELECT id FROM counter_names WHERE name = 'total') "
    "  AND m.read_at <= u.at AND m.read_at > u.at - interval '400 days' "
    "  ORDER BY m.read_at DESC LIMIT 1) m ON true"};

constexpr Statement kInventory = {
    "report_inventory",
    "SELECT d.id, d.customer_id, d.serial, d.manufacturer, d.model, d.location, d.ip, "
    " (extract(epoch FROM d.first_seen_at) * 1000)::bigint, "
    " (extract(epoch FROM l.last_seen_at) * 1000)::bigint, "
    " d.firmware, d.mac, d.host_name, coalesce(d.collector_id, 0), coalesce(c.name, ''), "
    " coalesce(l.status->>'printer_status', ''), "
    " coalesce((SELECT string_agg(e, ', ') FROM json_array_elements_text(l.status->'errors') e), "
    "'') "
    "FROM devices d LEFT JOIN device_latest l ON l.device_id = d.id "
    "LEFT JOIN collectors c ON c.id = d.collector_id "
    "JOIN organisations o ON o.id = d.customer_id "
    "WHERE d.customer_id = ANY($1::bigint[]) ORDER BY lower(o.name), d.serial, d.id"};

constexpr Statement kDutyCycles = {"report_duty_cycles",
                                   "SELECT d.id, m.monthly_pages FROM devices d "
                                   "JOIN model_duty_cycles m ON lower(m.model) = lower(d.model) "
                                   "WHERE d.customer_id = ANY($1::bigint[])"};

// Status episodes: consecutive reads of a device that show the same
// condition (gaps and islands over the reads' order).
constexpr Statement kStatusEpisodes = {
    "report_status_episodes",
    "WITH p AS (SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[]) "
    "  AS p(customer_id, s, e)), "
    "r AS (SELECT h.device_id, h.read_at, h.errors, "
    "  row_number() OVER (PARTITION BY h.device_id ORDER BY h.read_at) AS rn "
    "  FROM p JOIN devices d ON d.customer_id = p.customer_id "
    "  JOIN status_history h ON h.device_id = d.id AND h.read_at >= p.s AND h.read_at < p.e), "
    "e AS (SELECT r.device_id, r.read_at, r.rn, x.error FROM r CROSS JOIN LATERAL unnest(r.errors) "
    "AS x(error)), "
    "g AS (SELECT e.*, e.rn - row_number() OVER (PARTITION BY e.device_id, e.error ORDER BY "
    "e.read_at) AS grp FROM e) "
    "SELECT device_id, error, (extract(epoch FROM min(read_at)) * 1000)::bigint, "
    " (extract(epoch FROM max(read_at)) * 1000)::bigint, count(*) "
    "FROM g GROUP BY device_id, error, grp ORDER BY device_id, min(read_at), error"};

// The alerts active in the period (the condition began before its end and
// was not cleared before its start), pending ones that never became
// alerts left out: the alert engine's own record, one row per alert.
constexpr Statement kAlertHistory = {
    "report_alert_history",
    "WITH p AS (SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[]) "
    "  AS p(customer_id, s, e)) "
    "SELECT a.id, a.customer_id, coalesce(a.device_id, 0), coalesce(a.collector_id, 0), "
    " coalesce(c.name, ''), a.condition, a.subject, a.stage, a.severity, a.state, "
    " (extract(epoch FROM a.since) * 1000)::bigint, "
    " (extract(epoch FROM a.cleared_at) * 1000)::bigint, "
    " (extract(epoch FROM a.acknowledged_at) * 1000)::bigint, a.acknowledged_by, a.ack_note, "
    " a.events, a.detail::text, o.time_zone "
    "FROM p JOIN alerts a ON a.customer_id = p.customer_id "
    "JOIN organisations o ON o.id = a.customer_id "
    "LEFT JOIN collectors c ON c.id = a.collector_id "
    "WHERE a.raised_at IS NOT NULL AND a.since < p.e "
    "AND (a.cleared_at IS NULL OR a.cleared_at >= p.s) "
    "ORDER BY a.customer_id, a.since, a.id"};

constexpr Statement kCollectorHealth = {
    "report_collector_health",
    "WITH p AS (SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], "
    "$4::text[]) "
    "  AS p(customer_id, s, e, tz)) "
    "SELECT c.id, c.customer_id, c.name, "
    " (SELECT count(*) FROM devices d WHERE d.collector_id = c.id), "
    " (extract(epoch FROM c.last_seen_at) * 1000)::bigint, coalesce(c.last_carrier, ''), "
    " coalesce(c.last_peer, ''), b.batches, b.items, b.days, coalesce(g.missing, 0), "
    "coalesce(g.numbers, ''), "
    " (extract(epoch FROM c.created_at) * 1000)::bigint, c.revoked_at IS NOT NULL "
    "FROM p JOIN collectors c ON c.customer_id = p.customer_id "
    "CROSS JOIN LATERAL (SELECT count(*) AS batches, coalesce(sum(ib.items), 0) AS items, "
    "  count(DISTINCT (ib.received_at AT TIME ZONE p.tz)::date) AS days FROM ingest_batches ib "
    "  WHERE ib.collector_id = c.id AND ib.received_at >= p.s AND ib.received_at < p.e) b "
    "LEFT JOIN LATERAL (SELECT sum(x.batch_seq - x.prev - 1) AS missing, "
    "  string_agg(CASE WHEN x.batch_seq - x.prev = 2 THEN (x.prev + 1)::text "
    "    ELSE (x.prev + 1) || '-' || (x.batch_seq - 1) END, ', ' ORDER BY x.batch_seq) AS numbers "
    "  FROM (SELECT ib.batch_seq, ib.received_at, lag(ib.batch_seq) OVER (ORDER BY ib.batch_seq) "
    "AS prev "
    "    FROM ingest_batches ib WHERE ib.collector_id = c.id AND ib.received_at < p.e) x "
    "  WHERE x.prev IS NOT NULL AND x.batch_seq > x.prev + 1 AND x.received_at >= p.s) g ON true "
    "ORDER BY c.customer_id, c.id"};

constexpr Statement kErpMeterNames = {
    "report_erp_meter_names", "SELECT counter, erp_name FROM erp_meter_names WHERE dealer_id = $1"};

template <typename... Args>
pqxx::result run(pqxx::transaction_base& txn, const Statement& s, Args&&... args) {
  txn.conn().prepare(s.name, s.sql);  // same definition again: nothing happens
  return txn.exec_prepared(s.name, std::forward<Args>(args)...);
}

TimePoint fromMillis(std::int64_t ms) {
  return TimePoint{std::chrono::milliseconds{ms}};
}

std::optional<TimePoint> optionalMillis(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return fromMillis(f.as<std::int64_t>());
}

Scope toScope(const pqxx::row& r) {
  Scope s;
  s.organisationId = r[0].as<std::int64_t>();
  s.name = r[1].as<std::string>();
  s.kind = r[2].as<std::string>();
  s.timeZone = r[3].as<std::string>();
  s.billingDay = r[4].as<int>();
  s.locale = r[5].as<std::string>();
  return s;
}

void addSample(std::vector<meters::Sample>& out, const pqxx::field& at, const pqxx::field& value) {
  if (!at.is_null()) {
    out.push_back({fromMillis(at.as<std::int64_t>()), value.as<std::int64_t>()});
  }
}

}  // namespace

std::vector<std::int64_t> parseIntArray(std::string_view text) {
  std::vector<std::int64_t> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '-' || (c >= '0' && c <= '9')) {
      std::int64_t v = 0;
      const auto r = std::from_chars(text.data() + i, text.data() + text.size(), v);
      out.push_back(v);
      i = static_cast<std::size_t>(r.ptr - text.data());
    } else {
      ++i;  // braces, commas, NULL
    }
  }
  return out;
}

PgReportSource::PgReportSource(pqxx::transaction_base& txn) : txn_(txn) {
  // The aggregates are many small index scans: compiling them (JIT, which
  // their estimated cost triggers) took longer than running them.
  txn_.exec("SET LOCAL jit = off");
}

Scope PgReportSource::scopeByName(const std::string& kind, const std::string& name) {
  const auto r = run(txn_, kScopeByName, kind, name);
  if (r.empty()) {
    throw ReportScopeError("no " + kind + " named '" + name + "'");
  }
  return toScope(r[0]);
}

Scope PgReportSource::scopeById(std::int64_t organisationId) {
  const auto r = run(txn_, kScopeById, organisationId);
  if (r.empty()) {
    throw ReportScopeError("no organisation " + std::to_string(organisationId));
  }
  return toScope(r[0]);
}

std::vector<CustomerPeriod> PgReportSource::customers(const Scope& scope,
                                                      const PeriodChoice& choice) {
  std::vector<CustomerPeriod> out;
  for (const auto& r : run(txn_, kCustomers, scope.organisationId)) {
    CustomerPeriod c;
    c.id = r[0].as<std::int64_t>();
    c.name = r[1].as<std::string>();
    c.timeZone = r[2].as<std::string>();
    const int billingDay = r[3].as<int>();
    c.leadDays = r[4].as<int>();
    c.dealerId = r[5].as<std::int64_t>();
    if (choice.from && choice.to) {
      c.period = meters::localPeriod(c.timeZone, *choice.from, *choice.to);
    } else {
      c.period = meters::lastBillingPeriod(c.timeZone, billingDay, choice.now);
    }
    out.push_back(std::move(c));
  }
  return out;
}

namespace {

struct PeriodArrays {
  store::PgArray ids;
  store::PgArray starts;
  store::PgArray ends;
  store::PgArray zones;
};

PeriodArrays arraysOf(const std::vector<CustomerPeriod>& periods) {
  PeriodArrays a;
  for (const auto& c : periods) {
    a.ids.add(c.id);
    a.starts.add(util::formatRfc3339(c.period.start));
    a.ends.add(util::formatRfc3339(c.period.end));
    a.zones.add(c.timeZone);
  }
  return a;
}

std::string customerIds(const std::vector<CustomerPeriod>& customers) {
  store::PgArray ids;
  for (const auto& c : customers) ids.add(c.id);
  return ids.str();
}

ReportDevice toDevice(const pqxx::row& r) {
  ReportDevice d;
  d.id = r[0].as<std::int64_t>();
  d.customerId = r[1].as<std::int64_t>();
  d.serial = r[2].as<std::string>();
  d.manufacturer = r[3].as<std::string>();
  d.model = r[4].as<std::string>();
  d.location = r[5].as<std::string>();
  d.ip = r[6].as<std::string>();
  d.firstSeen = optionalMillis(r[7]);
  d.lastSeen = optionalMillis(r[8]);
  return d;
}

void addArrays(std::vector<meters::Sample>& out, const pqxx::field& ts, const pqxx::field& vs) {
  if (ts.is_null()) return;
  const auto times = parseIntArray(ts.c_str());
  const auto values = parseIntArray(vs.c_str());
  for (std::size_t i = 0; i < times.size() && i < values.size(); ++i) {
    out.push_back({fromMillis(times[i]), values[i]});
  }
}

std::vector<BillingCounter> toCounters(const pqxx::result& rows) {
  std::vector<BillingCounter> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    BillingCounter c;
    c.deviceId = r[0].as<std::int64_t>();
    c.counter = r[1].as<std::string>();
    c.periodStart = fromMillis(r[2].as<std::int64_t>());
    addArrays(c.samples, r[3], r[4]);   // within a day of the start
    addArrays(c.samples, r[5], r[6]);   // within a day of the end
    for (int k = 7; k <= 13; k += 2) {  // the nearest beyond, where those are missing
      addSample(c.samples, r[k], r[k + 1]);
    }
    addArrays(c.samples, r[15], r[16]);  // everything, for a device with a flagged reading
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<forecast::LevelSample> toLevels(const pqxx::row& r) {
  std::vector<forecast::LevelSample> out;
  if (r[7].is_null()) return out;
  const auto ts = parseIntArray(r[7].c_str());
  const auto levels = parseIntArray(r[8].c_str());
  const auto maxes = parseIntArray(r[9].c_str());
  const auto percents = parseIntArray(r[10].c_str());
  for (std::size_t i = 0;
       i < ts.size() && i < levels.size() && i < maxes.size() && i < percents.size(); ++i) {
    forecast::LevelSample s;
    s.at = fromMillis(ts[i]);
    s.level = levels[i];
    s.max = maxes[i];
    if (percents[i] != -1000) s.percent = static_cast<int>(percents[i]);
    out.push_back(s);
  }
  return out;
}

}  // namespace

std::vector<ReportDevice> PgReportSource::devices(const std::vector<CustomerPeriod>& customers) {
  std::vector<ReportDevice> out;
  for (const auto& r : run(txn_, kBillingDevices, customerIds(customers))) {
    out.push_back(toDevice(r));
  }
  return out;
}

BillingInput PgReportSource::billing(const std::vector<CustomerPeriod>& customers) {
  BillingInput in;
  in.customers = customers;
  in.devices = devices(customers);
  const PeriodArrays a = arraysOf(customers);
  in.counters = toCounters(
      run(txn_, kBillingCounters, a.ids.str(), a.starts.str(), a.ends.str(), std::string("{}")));
  return in;
}

std::size_t PgReportSource::billingAggregate(const std::vector<CustomerPeriod>& customers) {
  const PeriodArrays a = arraysOf(customers);
  return run(txn_, kBillingCounters, a.ids.str(), a.starts.str(), a.ends.str(), std::string("{}"))
      .size();
}

SuppliesInput PgReportSource::supplies(const std::vector<CustomerPeriod>& customers,
                                       TimePoint now) {
  SuppliesInput in;
  in.customers = customers;
  in.devices = devices(customers);
  TimePoint since = now - std::chrono::hours{24 * 120};
  for (const auto& c : customers) {
    since = std::min(since, c.period.start - std::chrono::hours{24 * 30});
  }
  in.supplies = supplyHistories(customers, since);
  const auto instants = counterInstants(in);
  if (!instants.empty()) {
    store::PgArray devices;
    store::PgArray ats;
    for (const auto& [device, at] : instants) {
      devices.add(device);
      ats.add(util::formatRfc3339(at));
    }
    for (const auto& r : run(txn_, kTotalsAt, devices.str(), ats.str())) {
      in.totalAt[{r[0].as<std::int64_t>(), r[1].as<std::int64_t>()}] = r[2].as<std::int64_t>();
    }
  }
  return in;
}

std::vector<SupplyHistory> PgReportSource::supplyHistories(
    const std::vector<CustomerPeriod>& customers, TimePoint since) {
  std::vector<SupplyHistory> out;
  for (const auto& r :
       run(txn_, kSupplyHistories, customerIds(customers), util::formatRfc3339(since))) {
    SupplyHistory h;
    h.deviceId = r[0].as<std::int64_t>();
    h.index = r[1].as<int>();
    h.description = r[2].as<std::string>();
    h.type = r[3].as<std::string>();
    h.color = r[4].as<std::string>();
    h.partNumber = r[5].as<std::string>();
    h.supplyClass = r[6].as<std::string>();
    h.levels = toLevels(r);
    out.push_back(std::move(h));
  }
  return out;
}

std::vector<InventoryDevice> PgReportSource::inventory(
    const std::vector<CustomerPeriod>& customers) {
  std::vector<InventoryDevice> out;
  for (const auto& r : run(txn_, kInventory, customerIds(customers))) {
    InventoryDevice i;
    i.device = toDevice(r);
    i.firmware = r[9].as<std::string>();
    i.mac = r[10].as<std::string>();
    i.hostName = r[11].as<std::string>();
    i.collectorId = r[12].as<std::int64_t>();
    i.collectorName = r[13].as<std::string>();
    i.printerStatus = r[14].as<std::string>();
    i.errors = r[15].as<std::string>();
    out.push_back(std::move(i));
  }
  return out;
}

UsageInput PgReportSource::usage(const std::vector<CustomerPeriod>& customers) {
  UsageInput in;
  in.customers = customers;
  for (const auto& c : customers) {
    for (auto& m : monthsOf(c)) in.months.push_back(std::move(m));
  }
  in.devices = devices(customers);
  for (const auto& r : run(txn_, kDutyCycles, customerIds(customers))) {
    in.dutyCycle[r[0].as<std::int64_t>()] = r[1].as<std::int64_t>();
  }
  const PeriodArrays a = arraysOf(in.months);
  in.counters = toCounters(run(txn_, kBillingCounters, a.ids.str(), a.starts.str(), a.ends.str(),
                               std::string("{total,color}")));
  return in;
}

std::vector<StatusEpisode> PgReportSource::statusEpisodes(
    const std::vector<CustomerPeriod>& customers) {
  const PeriodArrays a = arraysOf(customers);
  std::vector<StatusEpisode> out;
  for (const auto& r : run(txn_, kStatusEpisodes, a.ids.str(), a.starts.str(), a.ends.str())) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(),
                   fromMillis(r[2].as<std::int64_t>()), fromMillis(r[3].as<std::int64_t>()),
                   r[4].as<std::int64_t>()});
  }
  return out;
}

std::vector<AlertRow> PgReportSource::alerts(const std::vector<CustomerPeriod>& customers) {
  const PeriodArrays a = arraysOf(customers);
  std::vector<AlertRow> out;
  for (const auto& r : run(txn_, kAlertHistory, a.ids.str(), a.starts.str(), a.ends.str())) {
    // The alert as the engine describes it, so the report names it as its
    // mails and the API do.
    alerts::AlertContext context;
    context.alert.id = r[0].as<std::int64_t>();
    context.customerId = r[1].as<std::int64_t>();
    context.deviceId = r[2].as<std::int64_t>();
    context.collectorId = r[3].as<std::int64_t>();
    context.alert.condition = r[5].as<std::string>();
    context.alert.subject = r[6].as<std::string>();
    context.alert.stage = r[7].as<std::string>();
    context.alert.severity =
        alerts::severityFromString(r[8].as<std::string>()).value_or(alerts::Severity::kWarning);
    context.alert.since = fromMillis(r[10].as<std::int64_t>());
    context.alert.detail = r[16].as<std::string>();
    context.timeZone = r[17].as<std::string>();
    AlertRow row;
    row.customerId = context.customerId;
    row.deviceId = context.deviceId;
    row.collector = r[4].as<std::string>();
    row.facts = alerts::factsOf(context, alerts::AlertEvent::kRaised);
    row.state = r[9].as<std::string>();
    row.since = context.alert.since;
    row.cleared = optionalMillis(r[11]);
    row.acknowledged = optionalMillis(r[12]);
    row.acknowledgedBy = r[13].as<std::string>();
    row.note = r[14].as<std::string>();
    row.events = r[15].as<std::int64_t>();
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<CollectorHealth> PgReportSource::collectors(
    const std::vector<CustomerPeriod>& customers) {
  const PeriodArrays a = arraysOf(customers);
  std::vector<CollectorHealth> out;
  for (const auto& r :
       run(txn_, kCollectorHealth, a.ids.str(), a.starts.str(), a.ends.str(), a.zones.str())) {
    CollectorHealth h;
    h.id = r[0].as<std::int64_t>();
    h.customerId = r[1].as<std::int64_t>();
    h.name = r[2].as<std::string>();
    h.devices = r[3].as<std::int64_t>();
    h.lastSeen = optionalMillis(r[4]);
    h.lastCarrier = r[5].as<std::string>();
    h.lastPeer = r[6].as<std::string>();
    h.batches = r[7].as<std::int64_t>();
    h.readings = r[8].as<std::int64_t>();
    h.daysWithBatch = r[9].as<std::int64_t>();
    h.missingBatches = r[10].as<std::int64_t>();
    h.missingNumbers = r[11].as<std::string>();
    h.created = optionalMillis(r[12]);
    h.revoked = r[13].as<bool>();
    out.push_back(std::move(h));
  }
  return out;
}

std::map<std::string, std::string> PgReportSource::erpMeterNames(std::int64_t dealerId) {
  std::map<std::string, std::string> out;
  for (const auto& r : run(txn_, kErpMeterNames, dealerId)) {
    out[r[0].as<std::string>()] = r[1].as<std::string>();
  }
  return out;
}

}  // namespace openmps::server::reports
