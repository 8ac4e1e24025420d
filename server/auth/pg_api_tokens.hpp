#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/auth/caller.hpp"
#include "server/auth/tokens.hpp"
#include "shared/util/clock.hpp"

namespace pqxx {
class transaction_base;
}

// API tokens in PostgreSQL over the caller's transaction (as the API's
// role: a caller sees the tokens of its subtree only).
namespace openmps::server::auth {

struct ApiTokenRow {
  std::int64_t id = 0;
  std::string name;
  std::string hint;  // the first 12 characters: "omps_AbCdEfG"
  std::int64_t organisationId = 0;
  std::vector<std::int64_t> organisationPath;  // root first
  Role role = Role::kCustomerViewer;
  std::int64_t createdBy = 0;
  util::Clock::WallTime createdAt;
  std::optional<util::Clock::WallTime> expiresAt;
  std::optional<util::Clock::WallTime> revokedAt;
  std::optional<util::Clock::WallTime> lastUsedAt;
};

struct NewApiToken {
  std::string name;
  std::int64_t organisationId = 0;
  Role role = Role::kCustomerViewer;
  std::int64_t createdBy = 0;
  std::optional<util::Clock::WallTime> expiresAt;
  TokenHash hash{};
  std::string hint;
};

class PgApiTokens {
 public:
  explicit PgApiTokens(pqxx::transaction_base& txn);
  std::int64_t create(const NewApiToken& token, util::Clock::WallTime at);
  std::optional<ApiTokenRow> byId(std::int64_t id);
  // Ordered by id; organisationId 0: every one; subtreeOf (not 0): inside
  // that organisation's subtree only.
  std::vector<ApiTokenRow> list(std::int64_t organisationId, std::int64_t afterId, int limit,
                                std::int64_t subtreeOf = 0);
  // Revoking twice keeps the first time; false when there is no such token.
  bool revoke(std::int64_t id, util::Clock::WallTime at);

 private:
  pqxx::transaction_base& txn_;
};

}  // namespace openmps::server::auth
