// Devices of the caller's subtree: the list (search, filters, sort, keyset
// pages), one device with its latest state, its site (the one thing people
// change about a device), its counters and supply levels over a time
// range, its events, and when each supply runs out.
#include <cmath>

#include <nlohmann/json.hpp>

#include "server/api/auth_json.hpp"
#include "server/api/device_json.hpp"
#include "server/api/fleet_routes.hpp"
#include "server/api/json_body.hpp"
#include "server/api/problem.hpp"
#include "server/api/query_params.hpp"
#include "server/auth/pg_audit_log.hpp"
#include "server/forecast/supply_forecast.hpp"
#include "server/store/pg_devices.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::api {
namespace {

using Json = nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;

constexpr std::chrono::hours kDefaultRange{24 * 90};
constexpr std::chrono::hours kLongestRange{24 * 800};
constexpr std::chrono::hours kForecastHistory{24 * 120};

Json parsed(const std::string& text, const Json& fallback) {
  auto value = Json::parse(text, nullptr, false);
  return value.is_discarded() ? fallback : value;
}

template <typename E>
E parsedOr400(const ApiRequest& request, std::string_view name,
              std::optional<E> (*parse)(std::string_view), const char* expected) {
  const auto text = queryText(request, name, 40).value_or("");
  const auto value = parse(text);
  if (!value) badQuery(name, std::string("expected ") + expected);
  return *value;
}

store::DeviceListQuery listQuery(const RequestContext& ctx) {
  const auto& request = ctx.request();
  store::DeviceListQuery q;
  q.customerId = queryId(request, "customer_id").value_or(0);
  q.dealerId = queryId(request, "dealer_id").value_or(0);
  q.siteId = queryId(request, "site_id").value_or(0);
  q.groupId = queryId(request, "group_id").value_or(0);
  q.search = queryText(request, "q", 100).value_or("");
  q.condition =
      parsedOr400(request, "status", &store::parseDeviceCondition, "error, warning or ok");
  q.supply = parsedOr400(request, "supply", &store::parseSupplyFilter, "low or order");
  q.reporting = parsedOr400(request, "reporting", &store::parseReportingFilter, "silent or recent");
  q.kind = parsedOr400(request, "kind", &store::parseKindFilter, "printer or scanner");
  if (const auto sort = queryText(request, "sort", 40); sort && !sort->empty()) {
    const auto parsedSort = store::parseDeviceSort(*sort);
    if (!parsedSort) {
      badQuery("sort",
               "expected serial, model, customer, ip, location or last_seen, "
               "with - before it for descending");
    }
    q.sort = parsedSort->first;
    q.descending = parsedSort->second;
  }
  q.limit = queryLimit(request, 50, 500);
  // organisations.path runs root, dealer, customer.
  const auto& path = ctx.caller().organisationPath;
  if (path.size() > 1) q.callerDealerId = path[1];
  if (path.size() > 2) q.callerCustomerId = path[2];
  if (const auto after = queryText(request, "after", 2048); after && !after->empty()) {
    q.after = store::decodeCursor(*after);
    if (!q.after || !store::cursorFitsSort(*q.after, q.sort))
      badQuery("after", "expected the next_after of the previous page");
  }
  return q;
}

ApiResponse listDevices(RequestContext& ctx, const util::Clock& clock) {
  const auto q = listQuery(ctx);
  auto rows = store::PgDevices(ctx.txn()).list(q, clock.now());
  const bool more = rows.size() > static_cast<std::size_t>(q.limit);
  if (more) rows.pop_back();
  std::optional<std::string> next;
  if (more && !rows.empty()) next = store::encodeCursor({rows.back().sortKey, rows.back().id});
  return jsonResponse(200, devicePageJson(rows, next));
}

store::DeviceDetail visibleDevice(RequestContext& ctx, store::PgDevices& devices) {
  const auto id = ctx.idParam("id");
  auto d = devices.get(id, ctx.caller().organisationId);
  if (!d) throw ApiError(404, "not-found", "no device " + std::to_string(id));
  return *d;
}

std::string detailJson(const store::DeviceDetail& d) {
  Json out;
  out["mac"] = d.mac;
  out["firmware"] = d.firmware;
  out["contact"] = d.contact;
  out["sys_object_id"] = d.sysObjectId;
  out["sys_descr"] = d.sysDescr;
  out["first_seen_at"] = d.firstSeenAt;
  out["collector"] =
      d.collectorId == 0 ? Json(nullptr) : Json{{"id", d.collectorId}, {"name", d.collectorName}};
  out["capabilities"] = parsed(d.capabilitiesJson, Json::object());
  // The summary's members, then these: one object.
  std::string text;
  appendDeviceSummary(text, d.row);
  text.back() = ',';
  text += out.dump(-1, ' ', false, Json::error_handler_t::replace).substr(1);
  return text;
}

ApiResponse getDevice(RequestContext& ctx) {
  store::PgDevices devices(ctx.txn());
  return jsonResponse(200, detailJson(visibleDevice(ctx, devices)));
}

ApiResponse updateDevice(RequestContext& ctx) {
  store::PgDevices devices(ctx.txn());
  const auto before = visibleDevice(ctx, devices);
  const JsonBody body(ctx.request(), {"site_id"});
  if (body.has("site_id") || body.isNull("site_id")) {
    std::optional<std::int64_t> site;
    if (body.has("site_id")) site = body.fields().requireInt("site_id", 1, INT64_MAX);
    if (!devices.setSite(before.row.id, site)) {
      invalidField("site_id", "not a site of the device's customer");
    }
  }
  const auto after = visibleDevice(ctx, devices);
  const auto siteOf = [](const store::DeviceDetail& d) {
    return Json{{"site_id", d.row.siteId == 0 ? Json(nullptr) : Json(d.row.siteId)}}.dump();
  };
  auth::writeAudit(
      ctx.txn(), auth::AuditActor::of(ctx.caller(), ctx.request().peer),
      auth::AuditEvent{before.row.customerId, "device.update", "device",
                       std::to_string(before.row.id), siteOf(before), siteOf(after), ""});
  return jsonResponse(200, detailJson(after));
}

std::pair<TimePoint, TimePoint> rangeOf(const ApiRequest& request, TimePoint now) {
  const auto to = queryTime(request, "to", now);
  const auto from = queryTime(request, "from", to - kDefaultRange);
  if (from > to) badQuery("from", "is after to");
  if (to - from > kLongestRange) badQuery("from", "the range is longer than 800 days");
  return {from, to};
}

Json pointsJson(const std::vector<store::SeriesPoint>& points) {
  Json out = Json::array();
  for (const auto& p : points) out.push_back(Json::array({p.at, p.value}));
  return out;
}

ApiResponse getDeviceMeters(RequestContext& ctx, const util::Clock& clock) {
  store::PgDevices devices(ctx.txn());
  const auto d = visibleDevice(ctx, devices);
  const auto [from, to] = rangeOf(ctx.request(), clock.now());
  Json series = Json::array();
  for (const auto& s : devices.meters(d.row.id, from, to)) {
    series.push_back({{"counter", s.counter}, {"points", pointsJson(s.points)}});
  }
  return json(200, {{"from", util::formatRfc3339(from)},
                    {"to", util::formatRfc3339(to)},
                    {"series", std::move(series)}});
}

ApiResponse getDeviceSupplyLevels(RequestContext& ctx, const util::Clock& clock) {
  store::PgDevices devices(ctx.txn());
  const auto d = visibleDevice(ctx, devices);
  const auto [from, to] = rangeOf(ctx.request(), clock.now());
  Json series = Json::array();
  for (const auto& s : devices.supplyLevels(d.row.id, from, to)) {
    series.push_back({{"index", s.index},
                      {"description", s.description},
                      {"color", s.color},
                      {"points", pointsJson(s.points)}});
  }
  return json(200, {{"from", util::formatRfc3339(from)},
                    {"to", util::formatRfc3339(to)},
                    {"series", std::move(series)}});
}

ApiResponse listDeviceEvents(RequestContext& ctx) {
  store::PgDevices devices(ctx.txn());
  const auto d = visibleDevice(ctx, devices);
  const int limit = queryLimit(ctx.request(), 20, 200);
  const auto before = queryId(ctx.request(), "after").value_or(0);
  auto rows = devices.events(d.row.id, before, limit + 1);
  const bool more = rows.size() > static_cast<std::size_t>(limit);
  if (more) rows.pop_back();
  Json items = Json::array();
  for (const auto& e : rows) {
    items.push_back(
        {{"at", e.at}, {"kind", e.kind}, {"detail", parsed(e.detailJson, Json::object())}});
  }
  Json next = more && !rows.empty() ? Json(std::to_string(rows.back().id)) : Json(nullptr);
  return json(200, {{"items", std::move(items)}, {"next_after", next}});
}

Json days(const std::optional<TimePoint>& at, TimePoint now) {
  if (!at) return nullptr;
  const double d = std::chrono::duration<double>(*at - now).count() / 86400.0;
  return std::round(d * 10) / 10;
}

ApiResponse getDeviceForecast(RequestContext& ctx, const util::Clock& clock) {
  store::PgDevices devices(ctx.txn());
  const auto d = visibleDevice(ctx, devices);
  const auto now = clock.now();
  Json items = Json::array();
  for (auto& h : devices.supplyHistories(d.row.id, now - kForecastHistory)) {
    if (h.supplyClass == "receptacle") continue;  // waste toner fills up, never runs out
    const auto f = forecast::forecastSupply(std::move(h.samples), now);
    const auto time = [](const std::optional<TimePoint>& t) {
      return t ? Json(util::formatRfc3339(*t)) : Json(nullptr);
    };
    std::optional<TimePoint> order;
    if (f.emptyAt) order = forecast::orderBy(*f.emptyAt, d.orderLeadDays);
    items.push_back({{"supply_index", h.index},
                     {"description", h.description},
                     {"color", h.color},
                     {"level_percent", f.percentNow ? Json(*f.percentNow) : Json(nullptr)},
                     {"state", forecast::toString(f.state)},
                     {"days_to_empty", days(f.emptyAt, now)},
                     {"days_to_empty_low", days(f.emptyEarliest, now)},
                     {"days_to_empty_high", days(f.emptyLatest, now)},
                     {"empty_on", time(f.emptyAt)},
                     {"order_by", time(order)},
                     {"points_used", f.points}});
  }
  return json(200, {{"items", std::move(items)}, {"order_lead_days", d.orderLeadDays}});
}

}  // namespace

void registerDeviceRoutes(Router& router, const util::Clock& clock) {
  const auto* c = &clock;
  router.add(
      {"listDevices", "GET", "/api/v1/devices", Access::kSignedIn, {}, [c](RequestContext& ctx) {
         return listDevices(ctx, *c);
       }});
  router.add(
      {"getDevice", "GET", "/api/v1/devices/{id}", Access::kSignedIn, {}, [](RequestContext& ctx) {
         return getDevice(ctx);
       }});
  router.add({"updateDevice",
              "PATCH",
              "/api/v1/devices/{id}",
              Access::kSignedIn,
              {auth::Role::kRootAdmin, auth::Role::kDealerAdmin, auth::Role::kDealerTechnician,
               auth::Role::kCustomerAdmin},
              [](RequestContext& ctx) { return updateDevice(ctx); }});
  router.add({"getDeviceMeters",
              "GET",
              "/api/v1/devices/{id}/meters",
              Access::kSignedIn,
              {},
              [c](RequestContext& ctx) { return getDeviceMeters(ctx, *c); }});
  router.add({"getDeviceSupplyLevels",
              "GET",
              "/api/v1/devices/{id}/supply-levels",
              Access::kSignedIn,
              {},
              [c](RequestContext& ctx) { return getDeviceSupplyLevels(ctx, *c); }});
  router.add({"listDeviceEvents",
              "GET",
              "/api/v1/devices/{id}/events",
              Access::kSignedIn,
              {},
              [](RequestContext& ctx) { return listDeviceEvents(ctx); }});
  router.add({"getDeviceForecast",
              "GET",
              "/api/v1/devices/{id}/forecast",
              Access::kSignedIn,
              {},
              [c](RequestContext& ctx) { return getDeviceForecast(ctx, *c); }});
}

}  // namespace openmps::server::api
