#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/auth/caller.hpp"
#include "shared/util/clock.hpp"

namespace pqxx {
class transaction_base;
}

// The user directory in PostgreSQL, over the caller's transaction: as the
// owner for the command line, as the API's role (row-level security keeps
// a caller to its subtree) for the API.
namespace openmps::server::auth {

// A request that cannot be done as asked (a name taken, no such user).
class UserError : public std::runtime_error {
 public:
  enum class Kind { kNotFound, kConflict, kInvalid };
  UserError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

struct OrganisationRef {
  std::int64_t id = 0;
  std::string kind;  // root, dealer, customer
  std::string name;
  std::vector<std::int64_t> path;
};

struct UserRecord {
  std::int64_t id = 0;
  std::int64_t organisationId = 0;
  std::string organisationName;
  std::string organisationKind;
  std::string username;
  std::string displayName;
  std::string email;
  Role role = Role::kCustomerViewer;
  std::vector<std::int64_t> siteIds;
  std::vector<std::int64_t> deviceGroupIds;
  std::string locale = "en";
  bool disabled = false;
  std::string disabledReason;
  bool totpEnabled = false;
  bool hasPassword = false;
  bool passwordChangeRequired = false;
  std::optional<util::Clock::WallTime> lastSignInAt;
  util::Clock::WallTime createdAt;
  util::Clock::WallTime updatedAt;
};

struct NewUser {
  std::int64_t organisationId = 0;
  std::string username;
  std::string displayName;
  std::string email;
  Role role = Role::kCustomerViewer;
  std::vector<std::int64_t> siteIds;
  std::vector<std::int64_t> deviceGroupIds;
  std::string locale = "en";
  std::string passwordHash;  // empty: no password (OpenID Connect only)
  bool passwordChangeRequired = false;
};

struct UserChanges {
  std::optional<std::string> displayName;
  std::optional<std::string> email;
  std::optional<Role> role;
  std::optional<std::string> locale;
  std::optional<std::vector<std::int64_t>> siteIds;
  std::optional<std::vector<std::int64_t>> deviceGroupIds;
  std::optional<bool> disabled;
};

class PgUsers {
 public:
  explicit PgUsers(pqxx::transaction_base& txn);

  // Fails with UserError kConflict when the name is taken (by anyone,
  // also outside the caller's view), kInvalid when the database refuses it.
  std::int64_t create(const NewUser& user);
  std::optional<UserRecord> byId(std::int64_t id);
  std::optional<UserRecord> byName(const std::string& username);
  // Ordered by id; `afterId` continues a page, `organisationId` 0 lists
  // all, `subtreeOf` (not 0) keeps to that organisation's subtree.
  std::vector<UserRecord> list(std::int64_t organisationId, std::int64_t afterId, int limit,
                               std::int64_t subtreeOf = 0);
  // Applies the given changes; returns the record after them.
  UserRecord update(std::int64_t id, const UserChanges& changes, util::Clock::WallTime at);

  std::optional<OrganisationRef> organisation(std::int64_t id);
  // By kind ("root", "dealer", "customer") and name, without regard to case.
  std::optional<OrganisationRef> organisationNamed(const std::string& kind,
                                                   const std::string& name);
  // By name alone; nullopt when none or more than one organisation has it.
  std::optional<OrganisationRef> organisationNamedUniquely(const std::string& name);

 private:
  pqxx::transaction_base& txn_;
};

}  // namespace openmps::server::auth
