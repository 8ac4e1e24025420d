#include "server/auth/pg_audit_log.hpp"

#include <stdexcept>

#include <pqxx/pqxx>

namespace openmps::server::auth {
namespace {

constexpr const char* kInsert = "auth_audit_insert";
constexpr const char* kInsertSql =
    "INSERT INTO audit_log (organisation_id, actor_user_id, actor_token_id, actor, peer, action,"
    " target_type, target_id, before, after, detail)"
    " VALUES (coalesce(nullif($1, 0), (SELECT id FROM organisations WHERE kind = 'root')),"
    " nullif($2, 0), nullif($3, 0),"
    " coalesce(nullif($4, ''), (SELECT username FROM users WHERE id = $2),"
    " (SELECT 'token:' || hint FROM api_tokens WHERE id = $3), 'unknown'),"
    " $5, $6, $7, $8, nullif($9, '')::jsonb, nullif($10, '')::jsonb, $11)";

}  // namespace

void writeAudit(pqxx::transaction_base& txn, const AuditActor& actor, const AuditEvent& event) {
  if (const auto problem = auditEventProblem(event); !problem.empty()) {
    throw std::invalid_argument("audit entry " + event.action + ": " + problem);
  }
  txn.conn().prepare(kInsert, kInsertSql);
  txn.exec_prepared(kInsert, event.organisationId, actor.userId, actor.tokenId, actor.name,
                    actor.peer, event.action, event.targetType, event.targetId, event.before,
                    event.after, event.detail);
}

}  // namespace openmps::server::auth
