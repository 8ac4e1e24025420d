#include "server/auth/pg_audit_query.hpp"

#include <pqxx/pqxx>

#include "server/auth/pg_auth_store.hpp"

namespace openmps::server::auth {
namespace {

constexpr const char* kQuery = "auth_audit_query";
constexpr const char* kQuerySql =
    "SELECT a.id, (extract(epoch FROM a.at) * 1000000)::bigint, a.organisation_id, o.name,"
    " coalesce(a.actor_user_id, 0), coalesce(a.actor_token_id, 0), a.actor, a.peer, a.action,"
    " a.target_type, a.target_id, coalesce(a.before::text, ''), coalesce(a.after::text, ''),"
    " a.detail"
    " FROM audit_log a JOIN organisations o ON o.id = a.organisation_id"
    " WHERE o.path @> ARRAY[$1::bigint]"
    " AND ($2::bigint = 0 OR a.organisation_id = $2)"
    " AND ($3 = '' OR starts_with(a.action, $3))"
    " AND ($4 = '' OR lower(a.actor) = lower($4))"
    " AND ($5::bigint IS NULL OR a.at >= timestamptz 'epoch' + $5 * interval '1 microsecond')"
    " AND ($6::bigint IS NULL OR a.at < timestamptz 'epoch' + $6 * interval '1 microsecond')"
    " AND ($7::bigint = 0 OR a.id < $7)"
    " ORDER BY a.id DESC LIMIT $8";

}  // namespace

std::vector<AuditRow> queryAuditLog(pqxx::transaction_base& txn, const AuditQuery& q) {
  txn.conn().prepare(kQuery, kQuerySql);
  std::optional<std::int64_t> from;
  std::optional<std::int64_t> to;
  if (q.from) from = toMicros(*q.from);
  if (q.to) to = toMicros(*q.to);
  std::vector<AuditRow> out;
  for (const auto& r : txn.exec_prepared(kQuery, q.subtreeOf, q.organisationId, q.actionPrefix,
                                         q.actor, from, to, q.beforeId, q.limit)) {
    AuditRow a;
    a.id = r[0].as<std::int64_t>();
    a.at = fromMicros(r[1].as<std::int64_t>());
    a.organisationId = r[2].as<std::int64_t>();
    a.organisationName = r[3].as<std::string>();
    a.actorUserId = r[4].as<std::int64_t>();
    a.actorTokenId = r[5].as<std::int64_t>();
    a.actor = r[6].as<std::string>();
    a.peer = r[7].as<std::string>();
    a.action = r[8].as<std::string>();
    a.targetType = r[9].as<std::string>();
    a.targetId = r[10].as<std::string>();
    a.before = r[11].as<std::string>();
    a.after = r[12].as<std::string>();
    a.detail = r[13].as<std::string>();
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace openmps::server::auth
