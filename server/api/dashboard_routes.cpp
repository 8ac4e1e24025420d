// The dashboard's figures for the caller's subtree, per customer and in
// total: devices, devices in error or warning now, devices not reporting,
// silent collectors, devices with a supply to order (the alert engine's
// open "runs_out" alerts), open alerts by severity. Each figure has a list
// behind it (the device, collector and alert lists take the same filters).
#include <pqxx/pqxx>

#include "server/api/auth_json.hpp"
#include "server/api/fleet_routes.hpp"
#include "server/store/device_list.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::api {
namespace {

using Json = nlohmann::json;

constexpr int kCustomersShown = 200;

// The conditions as the device list's filters define them (the SQL
// functions of migration 0013, as store::deviceListSql uses them), so a
// figure and its list always agree.
constexpr const char* kDashboardSql =
    "WITH cust AS (SELECT id, name FROM organisations WHERE kind = 'customer'"
    "   AND path @> ARRAY[$1::bigint]),"
    " dev AS (SELECT d.customer_id, count(*) AS devices,"
    "   count(*) FILTER (WHERE coalesce(l.last_seen_at, d.first_seen_at) < $2::timestamptz)"
    "     AS not_reporting,"
    "   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM alerts a WHERE a.device_id = d.id"
    "     AND a.condition = 'runs_out' AND a.state = 'open')) AS to_order"
    "   FROM devices d JOIN cust ON cust.id = d.customer_id"
    "   LEFT JOIN device_latest l ON l.device_id = d.id GROUP BY d.customer_id),"
    // Few devices have a condition: the partial index finds them.
    " cond AS (SELECT d.customer_id,"
    "   count(*) FILTER (WHERE l.condition = 2) AS errors,"
    "   count(*) FILTER (WHERE l.condition = 1) AS warnings"
    "   FROM device_latest l JOIN devices d ON d.id = l.device_id"
    "   JOIN cust ON cust.id = d.customer_id WHERE l.condition > 0"
    "   GROUP BY d.customer_id),"
    " col AS (SELECT c.customer_id, count(*) AS silent FROM collectors c"
    "   JOIN cust ON cust.id = c.customer_id WHERE c.revoked_at IS NULL"
    "   AND (c.last_seen_at IS NULL OR c.last_seen_at < $3::timestamptz) GROUP BY c.customer_id),"
    " alr AS (SELECT a.customer_id, count(*) FILTER (WHERE a.severity = 'critical') AS critical,"
    "   count(*) FILTER (WHERE a.severity = 'warning') AS warning,"
    "   count(*) FILTER (WHERE a.severity = 'info') AS info"
    "   FROM alerts a JOIN cust ON cust.id = a.customer_id WHERE a.state = 'open'"
    "   GROUP BY a.customer_id)"
    " SELECT cust.id, cust.name, coalesce(dev.devices, 0), coalesce(cond.errors, 0),"
    "   coalesce(cond.warnings, 0), coalesce(dev.not_reporting, 0), coalesce(col.silent, 0),"
    "   coalesce(dev.to_order, 0), coalesce(alr.critical, 0), coalesce(alr.warning, 0),"
    "   coalesce(alr.info, 0)"
    " FROM cust LEFT JOIN dev ON dev.customer_id = cust.id"
    " LEFT JOIN cond ON cond.customer_id = cust.id"
    " LEFT JOIN col ON col.customer_id = cust.id LEFT JOIN alr ON alr.customer_id = cust.id";

struct Figures {
  std::int64_t devices = 0, errors = 0, warnings = 0, notReporting = 0, silent = 0, toOrder = 0;
  std::int64_t critical = 0, warningAlerts = 0, info = 0;  // open alerts by severity
  void add(const Figures& o) {
    devices += o.devices;
    errors += o.errors;
    warnings += o.warnings;
    notReporting += o.notReporting;
    silent += o.silent;
    toOrder += o.toOrder;
    critical += o.critical;
    warningAlerts += o.warningAlerts;
    info += o.info;
  }
  // What needs attention first: critical alerts and stopped devices, then
  // silent ones, then the rest.
  std::int64_t urgency() const {
    return (critical + errors) * 1000000 + (notReporting + silent) * 1000 + warnings +
           warningAlerts + toOrder;
  }
};

Json figuresJson(const Figures& f) {
  return {
      {"devices", f.devices},
      {"errors", f.errors},
      {"warnings", f.warnings},
      {"not_reporting", f.notReporting},
      {"silent_collectors", f.silent},
      {"supplies_to_order", f.toOrder},
      {"open_alerts", {{"critical", f.critical}, {"warning", f.warningAlerts}, {"info", f.info}}}};
}

ApiResponse getDashboard(RequestContext& ctx, const util::Clock& clock) {
  const auto now = clock.now();
  ctx.txn().conn().prepare("dashboard_figures", kDashboardSql);
  const auto rows =
      ctx.txn().exec_prepared("dashboard_figures", ctx.caller().organisationId,
                              util::formatRfc3339(now - store::kSilentAfter),
                              util::formatRfc3339(now - store::kCollectorSilentAfter));
  struct Customer {
    std::int64_t id;
    std::string name;
    Figures figures;
  };
  std::vector<Customer> customers;
  Figures total;
  for (const auto& r : rows) {
    Customer c{r[0].as<std::int64_t>(),
               r[1].as<std::string>(),
               {r[2].as<std::int64_t>(), r[3].as<std::int64_t>(), r[4].as<std::int64_t>(),
                r[5].as<std::int64_t>(), r[6].as<std::int64_t>(), r[7].as<std::int64_t>(),
                r[8].as<std::int64_t>(), r[9].as<std::int64_t>(), r[10].as<std::int64_t>()}};
    total.add(c.figures);
    customers.push_back(std::move(c));
  }
  std::sort(customers.begin(), customers.end(), [](const Customer& a, const Customer& b) {
    if (a.figures.urgency() != b.figures.urgency())
      return a.figures.urgency() > b.figures.urgency();
    return a.name < b.name;
  });
  Json list = Json::array();
  for (const auto& c : customers) {
    if (static_cast<int>(list.size()) == kCustomersShown) break;
    Json item = figuresJson(c.figures);
    item["id"] = c.id;
    item["name"] = c.name;
    list.push_back(std::move(item));
  }
  Json totals = figuresJson(total);
  totals["customers"] = customers.size();
  return json(200, {{"generated_at", util::formatRfc3339(now)},
                    {"totals", std::move(totals)},
                    {"customers", std::move(list)},
                    {"customers_shown", std::min<std::size_t>(customers.size(), kCustomersShown)},
                    {"not_reporting_after_hours", store::kSilentAfter.count()},
                    {"silent_after_hours", store::kCollectorSilentAfter.count()}});
}

}  // namespace

void registerDashboardRoutes(Router& router, const util::Clock& clock) {
  const auto* c = &clock;
  router.add(
      {"getDashboard", "GET", "/api/v1/dashboard", Access::kSignedIn, {}, [c](RequestContext& ctx) {
         return getDashboard(ctx, *c);
       }});
}

}  // namespace openmps::server::api
