#include "server/store/pg_api_role.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include <pqxx/pqxx>

namespace openmps::server::store {
namespace {

// Shared by every tenant: readable, never written by the API.
constexpr std::array<std::string_view, 2> kVocabularies = {"counter_names", "model_duty_cycles"};
// The server's own bookkeeping: no rights at all.
constexpr std::array<std::string_view, 4> kServerOnly = {"schema_migrations", "sign_in_failures",
                                                         "sign_in_locks", "oidc_logins"};

template <std::size_t N>
bool among(const std::array<std::string_view, N>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::string roleName(pqxx::transaction_base& txn) {
  return txn.exec1("SELECT current_user")[0].as<std::string>() + "_api";
}

std::string idArray(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

std::string whatToRun(const std::string& owner, const std::string& role) {
  return "as a PostgreSQL superuser run once: CREATE ROLE " + role +
         " NOLOGIN NOBYPASSRLS; GRANT " + role + " TO " + owner + "; (or give " + owner +
         " CREATEROLE), then run 'openmps-server migrate' again";
}

void createRole(pqxx::work& txn, const std::string& owner, const std::string& role) {
  const auto may =
      txn.exec1("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")[0];
  if (!may.as<bool>()) {
    throw std::runtime_error("the API's database role " + role + " is missing and " + owner +
                             " may not create roles: " + whatToRun(owner, role));
  }
  txn.exec0("CREATE ROLE " + txn.quote_name(role) + " NOLOGIN NOBYPASSRLS");
  txn.exec0("GRANT " + txn.quote_name(role) + " TO " + txn.quote_name(owner));
}

void grantTable(pqxx::work& txn, const std::string& role, const std::string& table, bool rls,
                bool partition, ApiRoleReport& report) {
  const std::string t = txn.quote_name(table);
  const std::string r = txn.quote_name(role);
  txn.exec0("REVOKE ALL ON " + t + " FROM " + r);
  if (partition || among(kServerOnly, table)) return;
  if (table == "audit_log") {
    txn.exec0("GRANT SELECT, INSERT ON " + t + " TO " + r);
  } else if (rls) {
    txn.exec0("GRANT SELECT, INSERT, UPDATE, DELETE ON " + t + " TO " + r);
  } else if (among(kVocabularies, table)) {
    txn.exec0("GRANT SELECT ON " + t + " TO " + r);
  } else {
    report.withoutRowSecurity.push_back(table);
  }
}

}  // namespace

ApiRoleReport ensureApiRole(const util::Secret& databaseUri) {
  pqxx::connection conn(databaseUri.reveal());
  pqxx::work txn(conn);
  txn.exec("SELECT pg_advisory_xact_lock(5714311821214630227)");  // beside migrate's own lock
  ApiRoleReport report;
  const std::string owner = txn.exec1("SELECT current_user")[0].as<std::string>();
  report.role = roleName(txn);
  if (txn.exec_params("SELECT 1 FROM pg_roles WHERE rolname = $1", report.role).empty()) {
    createRole(txn, owner, report.role);
    report.created = true;
  }
  const std::string r = txn.quote_name(report.role);
  txn.exec0("GRANT USAGE ON SCHEMA public TO " + r);
  const auto tables = txn.exec(
      "SELECT c.relname, c.relrowsecurity, c.relispartition FROM pg_class c"
      " JOIN pg_namespace n ON n.oid = c.relnamespace"
      " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname");
  for (const auto& row : tables) {
    grantTable(txn, report.role, row[0].as<std::string>(), row[1].as<bool>(), row[2].as<bool>(),
               report);
  }
  // Views that check as the caller (security_invoker) may be read.
  for (const auto& row :
       txn.exec("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'v'"
                " AND coalesce(c.reloptions::text, '') LIKE '%security_invoker=true%'")) {
    txn.exec0("GRANT SELECT ON " + txn.quote_name(row[0].as<std::string>()) + " TO " + r);
  }
  txn.exec0("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + r);
  txn.commit();
  return report;
}

std::string checkApiRole(const util::Secret& databaseUri) {
  pqxx::connection conn(databaseUri.reveal());
  pqxx::read_transaction txn(conn);
  const std::string owner = txn.exec1("SELECT current_user")[0].as<std::string>();
  std::string role = roleName(txn);
  const auto r = txn.exec_params(
      "SELECT rolbypassrls, rolsuper, pg_has_role(current_user, oid, 'MEMBER')"
      " FROM pg_roles WHERE rolname = $1",
      role);
  if (r.empty()) {
    throw std::runtime_error("the API's database role " + role +
                             " is missing: run 'openmps-server migrate' (it creates it when " +
                             owner + " has CREATEROLE), or " + whatToRun(owner, role));
  }
  if (r[0][0].as<bool>() || r[0][1].as<bool>()) {
    throw std::runtime_error("the API's database role " + role +
                             " may bypass row-level security; run ALTER ROLE " + role +
                             " NOSUPERUSER NOBYPASSRLS");
  }
  if (!r[0][2].as<bool>()) {
    throw std::runtime_error(owner + " is not a member of the API's database role " + role +
                             ": as a PostgreSQL superuser run GRANT " + role + " TO " + owner);
  }
  return role;
}

void enterTenantScope(pqxx::transaction_base& txn, const std::string& apiRole,
                      const TenantScope& scope) {
  txn.exec0("SET LOCAL ROLE " + txn.quote_name(apiRole));
  // jit off: row-level security's subplans make the planner's cost of an
  // ordinary list query look huge, and compiling it (0.7 s) then costs 25
  // times what running it does; API requests are short.
  txn.conn().prepare("enter_tenant_scope",
                     "SELECT set_config('openmps.org_path', $1, true),"
                     " set_config('openmps.site_ids', $2, true),"
                     " set_config('openmps.device_group_ids', $3, true),"
                     " set_config('jit', 'off', true)");
  txn.exec_prepared("enter_tenant_scope", idArray(scope.organisationPath), idArray(scope.siteIds),
                    idArray(scope.deviceGroupIds));
}

}  // namespace openmps::server::store
