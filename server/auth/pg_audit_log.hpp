#pragma once

#include "server/auth/audit.hpp"

namespace pqxx {
class transaction_base;
}

// The one writer of the audit log. Call it inside the transaction of the
// change it records, so both commit or neither does:
//
//   auth::AuditEvent e{customerId, "device.rename", "device", std::to_string(id),
//                      R"({"name":"old"})", R"({"name":"new"})", ""};
//   auth::writeAudit(txn, auth::AuditActor::of(caller, peer), e);
//
// In a request running as the API's role, give event.organisationId (the
// root is not visible there). Throws std::invalid_argument when the event
// is malformed (see auditEventProblem) and pqxx errors as they come.
namespace openmps::server::auth {

void writeAudit(pqxx::transaction_base& txn, const AuditActor& actor, const AuditEvent& event);

}  // namespace openmps::server::auth
