#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/util/clock.hpp"

namespace pqxx {
class transaction_base;
}

// Reading the audit log (the API's GET /api/v1/audit-log): newest first,
// inside one organisation's subtree, filtered.
namespace openmps::server::auth {

struct AuditQuery {
  std::int64_t subtreeOf = 0;                 // required: the caller's organisation
  std::int64_t organisationId = 0;            // 0: the whole subtree
  std::string actionPrefix;                   // "user." or "user.create"; empty: all
  std::string actor;                          // exact, without regard to case; empty: all
  std::optional<util::Clock::WallTime> from;  // inclusive
  std::optional<util::Clock::WallTime> to;    // exclusive
  std::int64_t beforeId = 0;                  // continues a page; 0: the newest
  int limit = 50;
};

struct AuditRow {
  std::int64_t id = 0;
  util::Clock::WallTime at;
  std::int64_t organisationId = 0;
  std::string organisationName;
  std::int64_t actorUserId = 0;
  std::int64_t actorTokenId = 0;
  std::string actor;
  std::string peer;
  std::string action;
  std::string targetType;
  std::string targetId;
  std::string before;  // JSON text or empty
  std::string after;
  std::string detail;
};

std::vector<AuditRow> queryAuditLog(pqxx::transaction_base& txn, const AuditQuery& query);

}  // namespace openmps::server::auth
