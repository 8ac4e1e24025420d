#pragma once

#include <cstdint>
#include <string>

#include "server/auth/caller.hpp"

// One entry of the append-only audit log: who did what to which
// organisation's data, from where, and what changed. The one writer is
// writeAudit (pg_audit_log.hpp), called inside the transaction of the
// change so the entry and the change commit or vanish together.
namespace openmps::server::auth {

struct AuditActor {
  std::int64_t userId = 0;
  std::int64_t tokenId = 0;
  // Empty: the writer names the user (user name) or token ("token:<hint>").
  std::string name;
  std::string peer;  // source address; empty for the command line and the server itself

  static AuditActor of(const Caller& caller, std::string peer);
  static AuditActor server();  // "server": the daemon's own work (idle users, lockouts)
  // "cli:<login name>": a person at the server's command line.
  static AuditActor commandLine();
};

struct AuditEvent {
  // Whose data this is; the entry is visible to that organisation's subtree
  // and above. 0: the root organisation.
  std::int64_t organisationId = 0;
  // noun.verb, lower case: "user.create", "session.sign_in_failed".
  std::string action;
  std::string targetType;  // "user", "api_token", "device", ...
  std::string targetId;
  // JSON objects (text) of what changed, before and after; empty for none.
  // Never secrets: the writer refuses keys that name one (password, secret,
  // token, code, key, hash).
  std::string before;
  std::string after;
  std::string detail;  // a short note in words
};

// Empty when the event may be written; otherwise what is wrong: an action
// not of the form noun.verb, before/after that are not JSON objects, or a
// key in them that names a secret (password, secret, hash, csrf, recovery,
// token, code, key, session).
std::string auditEventProblem(const AuditEvent& event);

}  // namespace openmps::server::auth
