// Dealers, customers and sites of the caller's subtree: list (search, sort,
// keyset pages), one with its settings, create (a dealer by the operator, a
// customer under a dealer, a site under a customer), change (name, time
// zone, billing day, order lead time, language) and remove a site. Every
// change is audited in its transaction (a site's under its customer, so
// the entries outlive it).
#include <pqxx/pqxx>

#include "server/api/auth_json.hpp"
#include "server/api/fleet_routes.hpp"
#include "server/api/json_body.hpp"
#include "server/api/problem.hpp"
#include "server/api/query_params.hpp"
#include "server/auth/pg_audit_log.hpp"
#include "server/store/device_list.hpp"
#include "server/store/organisation_settings.hpp"
#include "server/store/pg_admin.hpp"

namespace openmps::server::api {
namespace {

using Json = nlohmann::json;

constexpr const char* kColumns =
    "o.id, o.kind, o.name, coalesce(o.parent_id, 0), array_to_string(o.path, ','),"
    " to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), o.time_zone,"
    " o.billing_day, o.order_lead_days, o.locale";

struct Statement {
  const char* name;
  std::string sql;
};

// The list's key: lower(name) or the creation time as text.
std::string listSql(bool byName, bool descending) {
  const std::string key =
      byName ? "lower(o.name)" : "to_char(o.created_at, 'YYYY-MM-DD HH24:MI:SS.US')";
  const std::string dir = descending ? " DESC" : "";
  return std::string("SELECT ") + kColumns + ", " + key +
         " FROM organisations o WHERE o.path @> ARRAY[$1::bigint] AND o.kind <> 'root'"
         " AND ($2::text = '' OR o.kind = $2) AND ($3::bigint = 0 OR o.parent_id = $3)"
         " AND ($4::text = '' OR o.name ILIKE $4)"
         " AND ($5::text IS NULL OR (" +
         key + ", o.id) " + (descending ? "<" : ">") + " ($5::text, $6::bigint))" + " ORDER BY " +
         key + dir + ", o.id" + dir + " LIMIT $7";
}

// Every statement of these routes, by name.
const std::array<Statement, 7>& statements() {
  static const std::array<Statement, 7> kStatements = {{
      {"orgs_list_name_asc", listSql(true, false)},
      {"orgs_list_name_desc", listSql(true, true)},
      {"orgs_list_created_asc", listSql(false, false)},
      {"orgs_list_created_desc", listSql(false, true)},
      {"orgs_get", std::string("SELECT ") + kColumns +
                       ", '' FROM organisations o WHERE o.id = $1 AND o.path @> ARRAY[$2::bigint]"},
      {"orgs_rename", "UPDATE organisations SET name = $2 WHERE id = $1"},
      {"orgs_name_taken",
       "SELECT 1 FROM organisations o JOIN organisations me ON me.id = $1"
       " WHERE o.kind = me.kind AND lower(o.name) = lower($2) AND o.id <> $1"
       " AND (me.kind <> 'site' OR o.parent_id = me.parent_id)"},
  }};
  return kStatements;
}

void prepare(pqxx::transaction_base& txn) {
  for (const auto& s : statements()) txn.conn().prepare(s.name, s.sql);
}

Json organisationJson(const pqxx::row& r) {
  Json path = Json::array();
  const std::string text = r[4].as<std::string>();
  for (std::size_t start = 0; start < text.size();) {
    const auto comma = text.find(',', start);
    path.push_back(std::stoll(text.substr(start, comma - start)));
    start = comma == std::string::npos ? text.size() : comma + 1;
  }
  const auto parent = r[3].as<std::int64_t>();
  return {{"id", r[0].as<std::int64_t>()},
          {"kind", r[1].as<std::string>()},
          {"name", r[2].as<std::string>()},
          {"parent_id", parent == 0 ? Json(nullptr) : Json(parent)},
          {"path", path},
          {"created_at", r[5].as<std::string>()},
          {"time_zone", r[6].as<std::string>()},
          {"billing_day", r[7].as<int>()},
          {"order_lead_days", r[8].as<int>()},
          {"locale", r[9].as<std::string>()}};
}

// A weak tag of what an organisation is now (it has no change time).
std::string etagOf(const Json& org) {
  return "W/\"" + std::to_string(std::hash<std::string>{}(org.dump())) + "\"";
}

std::optional<Json> visible(RequestContext& ctx, std::int64_t id) {
  prepare(ctx.txn());
  const auto r = ctx.txn().exec_prepared("orgs_get", id, ctx.caller().organisationId);
  if (r.empty()) return std::nullopt;
  return organisationJson(r[0]);
}

Json requireVisible(RequestContext& ctx, std::int64_t id) {
  auto org = visible(ctx, id);
  if (!org || (*org)["kind"] == "root") {
    throw ApiError(404, "not-found", "no organisation " + std::to_string(id));
  }
  return *org;
}

ApiResponse listOrganisations(RequestContext& ctx) {
  const auto& request = ctx.request();
  const std::string kind = queryText(request, "kind", 20).value_or("");
  if (!kind.empty() && kind != "dealer" && kind != "customer" && kind != "site") {
    badQuery("kind", "expected dealer, customer or site");
  }
  std::string sort = queryText(request, "sort", 20).value_or("name");
  const bool descending = sort.starts_with('-');
  if (descending) sort.erase(0, 1);
  if (sort != "name" && sort != "created_at")
    badQuery("sort", "expected name or created_at, with - before it for descending");
  const int limit = queryLimit(request, 50, 500);
  std::optional<store::DeviceCursor> after;
  if (const auto text = queryText(request, "after", 2048); text && !text->empty()) {
    after = store::decodeCursor(*text);
    if (!after) badQuery("after", "expected the next_after of the previous page");
  }
  const auto q = queryText(request, "q", 100).value_or("");
  prepare(ctx.txn());
  const std::string name = std::string("orgs_list_") + (sort == "name" ? "name" : "created") +
                           (descending ? "_desc" : "_asc");
  const auto rows = ctx.txn().exec_prepared(
      name, ctx.caller().organisationId, kind, queryId(request, "parent_id").value_or(0),
      q.empty() ? "" : store::likePattern(q),
      after ? std::optional<std::string>(after->key) : std::nullopt, after ? after->id : 0,
      limit + 1);
  Json items = Json::array();
  std::optional<store::DeviceCursor> last;
  for (const auto& r : rows) {
    if (static_cast<int>(items.size()) == limit) break;
    items.push_back(organisationJson(r));
    last = store::DeviceCursor{r[10].as<std::string>(), r[0].as<std::int64_t>()};
  }
  const bool more = static_cast<int>(rows.size()) > limit;
  return json(200,
              {{"items", std::move(items)},
               {"next_after", more && last ? Json(store::encodeCursor(*last)) : Json(nullptr)}});
}

ApiResponse getOrganisation(RequestContext& ctx) {
  const Json org = requireVisible(ctx, ctx.idParam("id"));
  ApiResponse r = json(200, org);
  r.set("ETag", etagOf(org));
  return r;
}

void audit(RequestContext& ctx, const Json& org, const char* action, const std::string& before,
           const std::string& after) {
  const auto id = org["id"].get<std::int64_t>();
  // A site's entries belong to its customer: a removed site leaves them.
  const auto owner = org["kind"] == "site" ? org["parent_id"].get<std::int64_t>() : id;
  auth::AuditEvent e{owner, action, "organisation", std::to_string(id), before, after, ""};
  auth::writeAudit(ctx.txn(), auth::AuditActor::of(ctx.caller(), ctx.request().peer), e);
}

ApiResponse createOrganisation(RequestContext& ctx) {
  const JsonBody body(ctx.request(), {"kind", "name", "parent_id"});
  const auto& f = body.fields();
  const std::string kind = f.requireString("kind", 20);
  const std::string name = f.requireString("name", 200);
  if (auto p = store::organisationNameProblem(name); !p.empty()) invalidField("name", p);
  store::Organisation created;
  try {
    if (kind == "dealer") {
      if (ctx.caller().role != auth::Role::kRootAdmin) {
        throw ApiError(403, "forbidden", "only the operator (root_admin) adds dealers");
      }
      created = store::insertDealer(ctx.txn(), name);
    } else if (kind == "customer") {
      if (ctx.caller().role == auth::Role::kCustomerAdmin) {
        throw ApiError(403, "forbidden", "a customer admin adds sites only");
      }
      const auto parentId = f.requireInt("parent_id", 1, INT64_MAX);
      const Json parent = visible(ctx, parentId).value_or(Json(nullptr));
      if (parent.is_null() || parent["kind"] != "dealer") {
        invalidField("parent_id", "not a dealer you can see");
      }
      created = store::insertCustomer(ctx.txn(), name, parentId);
    } else if (kind == "site") {
      const auto parentId = f.requireInt("parent_id", 1, INT64_MAX);
      const Json parent = visible(ctx, parentId).value_or(Json(nullptr));
      if (parent.is_null() || parent["kind"] != "customer") {
        invalidField("parent_id", "not a customer you can see");
      }
      created = store::insertSite(ctx.txn(), name, parentId);
    } else {
      invalidField("kind", "expected dealer, customer or site");
    }
  } catch (const store::AdminError& e) {
    throw ApiError(409, "conflict", e.what(), {{"name", e.what()}});
  }
  const Json org = *visible(ctx, created.id);
  audit(ctx, org, "organisation.create", "", org.dump());
  ApiResponse r = json(201, org);
  r.set("Location", "/api/v1/organisations/" + std::to_string(created.id));
  r.set("ETag", etagOf(org));
  return r;
}

ApiResponse updateOrganisation(RequestContext& ctx) {
  const auto id = ctx.idParam("id");
  const Json before = requireVisible(ctx, id);
  if (const auto match = ctx.request().header("if-match");
      !match.empty() && match != etagOf(before)) {
    throw ApiError(412, "precondition-failed",
                   "the organisation changed since you read it; read it again (ETag)");
  }
  if (ctx.caller().role == auth::Role::kDealerAdmin && before["kind"] == "dealer" &&
      id != ctx.caller().organisationId) {
    throw ApiError(403, "forbidden",
                   "a dealer admin changes only its own dealer and its customers");
  }
  if (ctx.caller().role == auth::Role::kCustomerAdmin && before["kind"] != "site") {
    throw ApiError(403, "forbidden", "a customer admin changes its sites only");
  }
  const JsonBody body(ctx.request(),
                      {"name", "time_zone", "billing_day", "order_lead_days", "locale"});
  const auto& f = body.fields();
  if (body.has("name")) {
    const std::string name = f.requireString("name", 200);
    if (auto p = store::organisationNameProblem(name); !p.empty()) invalidField("name", p);
    if (!ctx.txn().exec_prepared("orgs_name_taken", id, name).empty()) {
      throw ApiError(409, "conflict",
                     "another " + before["kind"].get<std::string>() + " is named '" + name + "'",
                     {{"name", "taken"}});
    }
    ctx.txn().exec_prepared("orgs_rename", id, name);
  }
  store::OrganisationSettings s;
  if (body.has("time_zone")) s.timeZone = f.requireString("time_zone", 64);
  if (body.has("billing_day")) s.billingDay = static_cast<int>(f.requireInt("billing_day", 1, 31));
  if (body.has("order_lead_days"))
    s.leadDays = static_cast<int>(f.requireInt("order_lead_days", 0, 365));
  if (body.has("locale")) s.locale = f.requireString("locale", 5);
  if (const auto p = store::settingsProblem(s); !p.empty()) {
    const char* field = p.starts_with("time zone") ? "time_zone"
                        : p.starts_with("billing") ? "billing_day"
                        : p.starts_with("order")   ? "order_lead_days"
                                                   : "locale";
    invalidField(field, p);
  }
  store::updateOrganisationSettings(ctx.txn(), id, s);
  const Json after = requireVisible(ctx, id);
  audit(ctx, after, "organisation.update", before.dump(), after.dump());
  ApiResponse r = json(200, after);
  r.set("ETag", etagOf(after));
  return r;
}

ApiResponse deleteOrganisation(RequestContext& ctx) {
  const auto id = ctx.idParam("id");
  const Json before = requireVisible(ctx, id);
  if (before["kind"] != "site") {
    throw ApiError(409, "conflict",
                   "only a site can be removed; dealers and customers stay with their history");
  }
  try {
    store::deleteSite(ctx.txn(), id);
  } catch (const store::AdminError& e) {
    throw ApiError(409, "conflict", e.what());
  }
  audit(ctx, before, "organisation.delete", before.dump(), "");
  return noContent();
}

}  // namespace

void registerOrganisationRoutes(Router& router, const util::Clock&) {
  const std::set<auth::Role> admins = {auth::Role::kRootAdmin, auth::Role::kDealerAdmin,
                                       auth::Role::kCustomerAdmin};
  router.add({"listOrganisations",
              "GET",
              "/api/v1/organisations",
              Access::kSignedIn,
              {},
              [](RequestContext& ctx) { return listOrganisations(ctx); }});
  router.add({"getOrganisation",
              "GET",
              "/api/v1/organisations/{id}",
              Access::kSignedIn,
              {},
              [](RequestContext& ctx) { return getOrganisation(ctx); }});
  router.add({"createOrganisation", "POST", "/api/v1/organisations", Access::kSignedIn, admins,
              [](RequestContext& ctx) { return createOrganisation(ctx); }});
  router.add({"updateOrganisation", "PATCH", "/api/v1/organisations/{id}", Access::kSignedIn,
              admins, [](RequestContext& ctx) { return updateOrganisation(ctx); }});
  router.add({"deleteOrganisation", "DELETE", "/api/v1/organisations/{id}", Access::kSignedIn,
              admins, [](RequestContext& ctx) { return deleteOrganisation(ctx); }});
}

}  // namespace openmps::server::api
