// Collectors (the clients in customers' networks) of the caller's subtree:
// list with last report, carrier and missing batches; create one and get
// its enrollment string (shown once: it holds the client's key); revoke.
#include <pqxx/pqxx>

#include "server/api/auth_json.hpp"
#include "server/api/fleet_routes.hpp"
#include "server/api/json_body.hpp"
#include "server/api/problem.hpp"
#include "server/api/query_params.hpp"
#include "server/auth/pg_audit_log.hpp"
#include "server/config/server_secrets.hpp"
#include "server/store/device_list.hpp"
#include "server/store/pg_admin.hpp"
#include "shared/envelope/enrollment.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::api {
namespace {

using Json = nlohmann::json;

// The columns of a collector; `since`: the parameter holding the time
// before which a collector that has not reported is silent.
std::string columns(const char* since) {
  return std::string(
             "c.id, c.name, o.id, o.name,"
             " to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
             " to_char(c.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
             " to_char(c.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
             " c.last_carrier, c.last_peer, c.last_batch_seq,"
             " coalesce((SELECT json_agg(json_build_array(g.first_missing, g.last_missing)"
             "   ORDER BY g.first_missing) FROM collector_batch_gaps g WHERE g.collector_id = "
             "c.id),"
             "   '[]')::text,"
             " (SELECT count(*) FROM devices d WHERE d.collector_id = c.id),"
             " to_char(c.created_at, 'YYYY-MM-DD HH24:MI:SS.US'),"
             " CASE WHEN c.revoked_at IS NOT NULL THEN 'revoked' WHEN c.last_seen_at IS NULL"
             " OR c.last_seen_at < ") +
         since +
         "::timestamptz THEN 'silent' ELSE 'active' END"
         " FROM collectors c JOIN organisations o ON o.id = c.customer_id";
}

struct Statement {
  const char* name;
  std::string sql;
};

// Every statement of these routes, by name.
const std::array<Statement, 2>& statements() {
  static const std::array<Statement, 2> kStatements = {{
      {"collectors_list",
       "SELECT " + columns("$4") +
           " WHERE o.path @> ARRAY[$1::bigint] AND ($2::bigint = 0 OR c.customer_id = $2)"
           " AND ($3::text = ''"
           "  OR ($3 = 'revoked' AND c.revoked_at IS NOT NULL)"
           "  OR ($3 = 'active' AND c.revoked_at IS NULL AND c.last_seen_at >= $4::timestamptz)"
           "  OR ($3 = 'silent' AND c.revoked_at IS NULL"
           "      AND (c.last_seen_at IS NULL OR c.last_seen_at < $4::timestamptz)))"
           " AND ($5::text IS NULL OR (to_char(c.created_at, 'YYYY-MM-DD HH24:MI:SS.US'), c.id)"
           "   > ($5::text, $6::bigint))"
           " ORDER BY c.created_at, c.id LIMIT $7"},
      {"collectors_get",
       "SELECT " + columns("$3") + " WHERE c.id = $1 AND o.path @> ARRAY[$2::bigint]"},
  }};
  return kStatements;
}

void prepare(pqxx::transaction_base& txn) {
  for (const auto& s : statements()) txn.conn().prepare(s.name, s.sql);
}

Json text(const pqxx::field& f) {
  return f.is_null() ? Json(nullptr) : Json(f.as<std::string>());
}

Json collectorJson(const pqxx::row& r) {
  const Json gaps = Json::parse(r[10].as<std::string>(), nullptr, false);
  Json gapList = Json::array();
  std::int64_t missing = 0;
  if (gaps.is_array()) {
    for (const auto& g : gaps) {
      const auto first = g[0].get<std::int64_t>();
      const auto last = g[1].get<std::int64_t>();
      missing += last - first + 1;
      gapList.push_back({{"first_missing", first}, {"last_missing", last}});
    }
  }
  return {{"id", r[0].as<std::int64_t>()},
          {"name", r[1].as<std::string>()},
          {"customer", {{"id", r[2].as<std::int64_t>()}, {"name", r[3].as<std::string>()}}},
          {"created_at", r[4].as<std::string>()},
          {"revoked_at", text(r[5])},
          {"last_seen_at", text(r[6])},
          {"last_carrier", text(r[7])},
          {"last_peer", text(r[8])},
          {"last_batch_seq", r[9].is_null() ? Json(nullptr) : Json(r[9].as<std::int64_t>())},
          {"missing_batches", missing},
          {"gaps", gapList},
          {"devices", r[11].as<std::int64_t>()},
          {"state", r[13].as<std::string>()}};
}

std::string silentSince(const util::Clock& clock) {
  return util::formatRfc3339(clock.now() - store::kCollectorSilentAfter);
}

Json requireVisible(RequestContext& ctx, std::int64_t id, const util::Clock& clock) {
  prepare(ctx.txn());
  const auto r = ctx.txn().exec_prepared("collectors_get", id, ctx.caller().organisationId,
                                         silentSince(clock));
  if (r.empty()) throw ApiError(404, "not-found", "no collector " + std::to_string(id));
  return collectorJson(r[0]);
}

ApiResponse listCollectors(RequestContext& ctx, const util::Clock& clock) {
  const auto& request = ctx.request();
  const std::string state = queryText(request, "state", 20).value_or("");
  if (!state.empty() && state != "active" && state != "silent" && state != "revoked") {
    badQuery("state", "expected active, silent or revoked");
  }
  const int limit = queryLimit(request, 50, 500);
  std::optional<store::DeviceCursor> after;
  if (const auto t = queryText(request, "after", 2048); t && !t->empty()) {
    after = store::decodeCursor(*t);
    if (!after) badQuery("after", "expected the next_after of the previous page");
  }
  prepare(ctx.txn());
  const auto rows = ctx.txn().exec_prepared(
      "collectors_list", ctx.caller().organisationId, queryId(request, "customer_id").value_or(0),
      state, silentSince(clock), after ? std::optional<std::string>(after->key) : std::nullopt,
      after ? after->id : 0, limit + 1);
  Json items = Json::array();
  std::optional<store::DeviceCursor> last;
  for (const auto& r : rows) {
    if (static_cast<int>(items.size()) == limit) break;
    items.push_back(collectorJson(r));
    last = store::DeviceCursor{r[12].as<std::string>(), r[0].as<std::int64_t>()};
  }
  const bool more = static_cast<int>(rows.size()) > limit;
  return json(200,
              {{"items", std::move(items)},
               {"next_after", more && last ? Json(store::encodeCursor(*last)) : Json(nullptr)}});
}

void audit(RequestContext& ctx, const Json& collector, const char* action) {
  auth::AuditEvent e{
      collector["customer"]["id"].get<std::int64_t>(),
      action,
      "collector",
      std::to_string(collector["id"].get<std::int64_t>()),
      "",
      Json{{"name", collector["name"]}, {"revoked_at", collector["revoked_at"]}}.dump(),
      ""};
  auth::writeAudit(ctx.txn(), auth::AuditActor::of(ctx.caller(), ctx.request().peer), e);
}

ApiResponse createCollector(RequestContext& ctx, const config::ServerConfig& cfg,
                            const envelope::MasterKey& masterKey, const util::Clock& clock) {
  const JsonBody body(ctx.request(), {"customer_id", "name"});
  const auto& f = body.fields();
  const auto customerId = f.requireInt("customer_id", 1, INT64_MAX);
  const std::string name = f.optionalString("name", 200);
  prepare(ctx.txn());
  const auto org = ctx.txn().exec_params(
      "SELECT kind FROM organisations WHERE id = $1 AND path @> ARRAY[$2::bigint]", customerId,
      ctx.caller().organisationId);
  if (org.empty() || org[0][0].as<std::string>() != "customer") {
    invalidField("customer_id", "not a customer you can see");
  }
  std::uint64_t id = 0;
  try {
    id = store::insertCollector(ctx.txn(), customerId, name);
  } catch (const store::AdminError& e) {
    invalidField("customer_id", e.what());
  }
  const Json collector = requireVisible(ctx, static_cast<std::int64_t>(id), clock);
  audit(ctx, collector, "collector.create");
  const auto enrollment = config::enrollmentFor(cfg, masterKey, id);
  ApiResponse r =
      json(201, {{"collector", collector}, {"enrollment", envelope::encodeEnrollment(enrollment)}});
  r.set("Location", "/api/v1/collectors/" + std::to_string(id));
  return r;
}

ApiResponse revokeCollector(RequestContext& ctx, const util::Clock& clock) {
  const auto id = ctx.idParam("id");
  const Json before = requireVisible(ctx, id, clock);
  store::markCollectorRevoked(ctx.txn(), static_cast<std::uint64_t>(id));
  const Json after = requireVisible(ctx, id, clock);
  if (before["revoked_at"].is_null()) audit(ctx, after, "collector.revoke");
  return json(200, after);
}

}  // namespace

void registerCollectorRoutes(Router& router, const config::ServerConfig& config,
                             const envelope::MasterKey& masterKey, const util::Clock& clock) {
  const std::set<auth::Role> readers = {auth::Role::kRootAdmin, auth::Role::kDealerAdmin,
                                        auth::Role::kDealerTechnician, auth::Role::kCustomerAdmin};
  const std::set<auth::Role> admins = {auth::Role::kRootAdmin, auth::Role::kDealerAdmin,
                                       auth::Role::kCustomerAdmin};
  const auto* cfg = &config;
  const auto* key = &masterKey;
  const auto* c = &clock;
  router.add({"listCollectors", "GET", "/api/v1/collectors", Access::kSignedIn, readers,
              [c](RequestContext& ctx) { return listCollectors(ctx, *c); }});
  router.add({"createCollector", "POST", "/api/v1/collectors", Access::kSignedIn, admins,
              [cfg, key, c](RequestContext& ctx) { return createCollector(ctx, *cfg, *key, *c); }});
  router.add({"revokeCollector", "POST", "/api/v1/collectors/{id}/revocation", Access::kSignedIn,
              admins, [c](RequestContext& ctx) { return revokeCollector(ctx, *c); }});
}

}  // namespace openmps::server::api
