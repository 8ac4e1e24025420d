#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "shared/util/secret.hpp"

namespace pqxx {
class transaction_base;
}

// The database role the REST API runs each request as: `<owner>_api`,
// NOLOGIN and NOBYPASSRLS, a role the owner is a member of (so a request's
// transaction can SET LOCAL ROLE to it). Row-level security then limits
// every query of a request to the caller's subtree.
namespace openmps::server::store {

struct ApiRoleReport {
  std::string role;
  bool created = false;
  // Tables with neither row-level security nor a place on the list of
  // shared vocabularies: the API role gets no rights on them.
  std::vector<std::string> withoutRowSecurity;
};

// Creates the role when missing (the owner needs CREATEROLE for that;
// otherwise the error says exactly what a superuser must run) and grants
// it what the API needs: SELECT, INSERT, UPDATE, DELETE on every table
// with row-level security, SELECT on the shared vocabularies, SELECT and
// INSERT only on audit_log, nothing on the server's own tables
// (schema_migrations, sign-in failures and locks, pending OpenID Connect
// sign-ins) nor on partitions (reached through their parent only), the
// sequences. Idempotent; `migrate` runs it after the migrations, so the
// tables every later migration adds are covered.
ApiRoleReport ensureApiRole(const util::Secret& databaseUri);

// The API role's name, after checking that it exists, cannot bypass
// row-level security and may be taken by the owner. Throws
// std::runtime_error saying what to do (run migrate, or the SQL).
std::string checkApiRole(const util::Secret& databaseUri);

// Whose data a transaction may see: an organisation's path from the root
// down, and for a restricted account its sites or device groups.
struct TenantScope {
  std::vector<std::int64_t> organisationPath;
  std::vector<std::int64_t> siteIds;
  std::vector<std::int64_t> deviceGroupIds;
};

// The rest of `txn` runs as the API role (`apiRole`, from checkApiRole) in
// that scope: SET LOCAL ROLE and the openmps.* settings the policies read.
// Used for everything done for a person: API requests and the reports
// made for them.
void enterTenantScope(pqxx::transaction_base& txn, const std::string& apiRole,
                      const TenantScope& scope);

}  // namespace openmps::server::store
