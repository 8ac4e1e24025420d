// Device groups of the caller's subtree: a customer's named sets of its
// devices, across sites (a restricted account may be limited to some).
// List, read with the members' ids, create, rename or replace the members,
// remove. Changes are audited under the group's customer.
#include <nlohmann/json.hpp>

#include "server/api/auth_json.hpp"
#include "server/api/fleet_routes.hpp"
#include "server/api/json_body.hpp"
#include "server/api/problem.hpp"
#include "server/api/query_params.hpp"
#include "server/auth/pg_audit_log.hpp"
#include "server/store/pg_admin.hpp"
#include "server/store/pg_device_groups.hpp"

namespace openmps::server::api {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxMembers = 10000;

Json groupJson(const store::DeviceGroup& g) {
  return {{"id", g.id},
          {"name", g.name},
          {"customer", {{"id", g.customerId}, {"name", g.customerName}}},
          {"device_count", g.deviceCount},
          {"created_at", g.createdAt}};
}

Json detailJson(store::PgDeviceGroups& groups, const store::DeviceGroup& g) {
  Json out = groupJson(g);
  out["device_ids"] = groups.deviceIds(g.id);
  return out;
}

store::DeviceGroup requireVisible(RequestContext& ctx, store::PgDeviceGroups& groups) {
  const auto id = ctx.idParam("id");
  auto g = groups.get(id);
  if (!g) throw ApiError(404, "not-found", "no device group " + std::to_string(id));
  return *g;
}

std::string checkedName(const util::JsonFields& f) {
  std::string name = f.requireString("name", 200);
  if (auto p = store::organisationNameProblem(name); !p.empty()) invalidField("name", p);
  return name;
}

// Members must be devices of the group's customer that the caller sees.
void setMembers(store::PgDeviceGroups& groups, const store::DeviceGroup& g,
                const std::vector<std::int64_t>& ids) {
  const auto foreign = groups.foreignDevices(g.customerId, ids);
  if (!foreign.empty()) {
    invalidField("device_ids", "device " + std::to_string(foreign.front()) +
                                   " is not a device of the group's customer");
  }
  groups.replaceDevices(g.id, g.customerId, ids);
}

void audit(RequestContext& ctx, const store::DeviceGroup& g, const char* action,
           const std::string& before, const std::string& after) {
  auth::writeAudit(ctx.txn(), auth::AuditActor::of(ctx.caller(), ctx.request().peer),
                   auth::AuditEvent{g.customerId, action, "device_group", std::to_string(g.id),
                                    before, after, ""});
}

ApiResponse listDeviceGroups(RequestContext& ctx) {
  const auto& request = ctx.request();
  const int limit = queryLimit(request, 50, 500);
  store::PgDeviceGroups groups(ctx.txn());
  auto rows = groups.list(queryId(request, "customer_id").value_or(0),
                          queryId(request, "after").value_or(0), limit);
  const bool more = rows.size() > static_cast<std::size_t>(limit);
  if (more) rows.pop_back();
  Json items = Json::array();
  for (const auto& g : rows) items.push_back(groupJson(g));
  Json next = more ? Json(std::to_string(rows.back().id)) : Json(nullptr);
  return json(200, {{"items", std::move(items)}, {"next_after", next}});
}

ApiResponse getDeviceGroup(RequestContext& ctx) {
  store::PgDeviceGroups groups(ctx.txn());
  return json(200, detailJson(groups, requireVisible(ctx, groups)));
}

ApiResponse createDeviceGroup(RequestContext& ctx) {
  const JsonBody body(ctx.request(), {"customer_id", "name", "device_ids"});
  const auto& f = body.fields();
  const auto customerId = f.requireInt("customer_id", 1, INT64_MAX);
  const std::string name = checkedName(f);
  const auto members = body.idList("device_ids", kMaxMembers).value_or(std::vector<std::int64_t>{});
  store::PgDeviceGroups groups(ctx.txn());
  if (!groups.isCustomer(customerId)) invalidField("customer_id", "not a customer you can see");
  const auto id = groups.insert(customerId, name);
  if (!id) {
    throw ApiError(409, "conflict", "the customer has a device group named '" + name + "'",
                   {{"name", "taken"}});
  }
  const auto g = *groups.get(*id);
  setMembers(groups, g, members);
  const Json out = detailJson(groups, *groups.get(*id));
  audit(ctx, g, "device_group.create", "", out.dump());
  ApiResponse r = json(201, out);
  r.set("Location", "/api/v1/device-groups/" + std::to_string(*id));
  return r;
}

ApiResponse updateDeviceGroup(RequestContext& ctx) {
  store::PgDeviceGroups groups(ctx.txn());
  const auto g = requireVisible(ctx, groups);
  const Json before = detailJson(groups, g);
  const JsonBody body(ctx.request(), {"name", "device_ids"});
  if (body.has("name") && !groups.rename(g.id, checkedName(body.fields()))) {
    throw ApiError(409, "conflict", "the customer has another device group of that name",
                   {{"name", "taken"}});
  }
  if (const auto members = body.idList("device_ids", kMaxMembers)) setMembers(groups, g, *members);
  const Json after = detailJson(groups, *groups.get(g.id));
  audit(ctx, g, "device_group.update", before.dump(), after.dump());
  return json(200, after);
}

ApiResponse deleteDeviceGroup(RequestContext& ctx) {
  store::PgDeviceGroups groups(ctx.txn());
  const auto g = requireVisible(ctx, groups);
  const auto users = groups.restrictedUsers(g.id);
  if (!users.empty()) {
    std::string names;
    for (const auto& u : users) names += (names.empty() ? "" : ", ") + u;
    throw ApiError(409, "conflict",
                   "accounts are restricted to the group: " + names + "; change them first");
  }
  const Json before = detailJson(groups, g);
  groups.remove(g.id);
  audit(ctx, g, "device_group.delete", before.dump(), "");
  return noContent();
}

}  // namespace

void registerDeviceGroupRoutes(Router& router) {
  const std::set<auth::Role> admins = {auth::Role::kRootAdmin, auth::Role::kDealerAdmin,
                                       auth::Role::kCustomerAdmin};
  router.add({"listDeviceGroups",
              "GET",
              "/api/v1/device-groups",
              Access::kSignedIn,
              {},
              [](RequestContext& ctx) { return listDeviceGroups(ctx); }});
  router.add({"createDeviceGroup", "POST", "/api/v1/device-groups", Access::kSignedIn, admins,
              [](RequestContext& ctx) { return createDeviceGroup(ctx); }});
  router.add({"getDeviceGroup",
              "GET",
              "/api/v1/device-groups/{id}",
              Access::kSignedIn,
              {},
              [](RequestContext& ctx) { return getDeviceGroup(ctx); }});
  router.add({"updateDeviceGroup", "PATCH", "/api/v1/device-groups/{id}", Access::kSignedIn, admins,
              [](RequestContext& ctx) { return updateDeviceGroup(ctx); }});
  router.add({"deleteDeviceGroup", "DELETE", "/api/v1/device-groups/{id}", Access::kSignedIn,
              admins, [](RequestContext& ctx) { return deleteDeviceGroup(ctx); }});
}

}  // namespace openmps::server::api
