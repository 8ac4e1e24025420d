#include "server/auth/pg_users.hpp"

#include <array>
#include <charconv>

#include <pqxx/pqxx>

#include "server/auth/pg_auth_store.hpp"

namespace openmps::server::auth {
namespace {

constexpr const char* kUserColumns =
    "u.id, u.organisation_id, o.name, o.kind, u.username, u.display_name, u.email, u.role,"
    " array_to_string(u.site_ids, ','), array_to_string(u.device_group_ids, ','), u.locale,"
    " u.disabled_at IS NOT NULL, u.disabled_reason, u.totp_confirmed_at IS NOT NULL,"
    " u.password_hash IS NOT NULL, u.password_change_required,"
    " (extract(epoch FROM u.last_sign_in_at) * 1000000)::bigint,"
    " (extract(epoch FROM u.created_at) * 1000000)::bigint,"
    " (extract(epoch FROM u.updated_at) * 1000000)::bigint"
    " FROM users u JOIN organisations o ON o.id = u.organisation_id";

constexpr const char* kOrgColumns =
    "SELECT id, kind, name, array_to_string(path, ',') FROM organisations";

struct Statement {
  const char* name;
  std::string sql;
};

// Every statement of this adapter, by name.
const std::array<Statement, 8>& statements() {
  static const std::array<Statement, 8> kStatements = {{
      {"users_create",
       "INSERT INTO users (organisation_id, username, display_name, email, role, site_ids,"
       " device_group_ids, locale, password_hash, password_change_required)"
       " VALUES ($1, $2, $3, $4, $5, $6::bigint[], $7::bigint[], $8, nullif($9, ''), $10)"
       " RETURNING id"},
      {"users_by_id", std::string("SELECT ") + kUserColumns + " WHERE u.id = $1"},
      {"users_by_name",
       std::string("SELECT ") + kUserColumns + " WHERE lower(u.username) = lower($1)"},
      {"users_list", std::string("SELECT ") + kUserColumns +
                         " WHERE ($1::bigint = 0 OR u.organisation_id = $1) AND u.id > $2"
                         " AND ($4::bigint = 0 OR o.path @> ARRAY[$4]::bigint[])"
                         " ORDER BY u.id LIMIT $3"},
      {"users_update",
       "UPDATE users SET display_name = coalesce($2, display_name), email = coalesce($3, email),"
       " role = coalesce($4, role), locale = coalesce($5, locale),"
       " site_ids = coalesce($6::bigint[], site_ids),"
       " device_group_ids = coalesce($7::bigint[], device_group_ids),"
       " disabled_reason = CASE WHEN $8::boolean IS NULL THEN disabled_reason"
       "   WHEN $8 AND disabled_at IS NULL THEN 'administrator' WHEN $8 THEN disabled_reason"
       "   ELSE '' END,"
       " enabled_at = CASE WHEN $8 = false AND disabled_at IS NOT NULL"
       "   THEN timestamptz 'epoch' + $9 * interval '1 microsecond' ELSE enabled_at END,"
       " disabled_at = CASE WHEN $8::boolean IS NULL THEN disabled_at"
       "   WHEN $8 THEN coalesce(disabled_at, timestamptz 'epoch' + $9 * interval '1 microsecond')"
       "   ELSE NULL END,"
       " updated_at = now() WHERE id = $1 RETURNING id"},
      {"users_org_by_id", std::string(kOrgColumns) + " WHERE id = $1"},
      {"users_org_by_name",
       std::string(kOrgColumns) + " WHERE kind = $1 AND lower(name) = lower($2)"},
      {"users_org_by_name_any",
       std::string(kOrgColumns) + " WHERE lower(name) = lower($1) LIMIT 2"},
  }};
  return kStatements;
}

std::vector<std::int64_t> idList(const pqxx::field& field) {
  std::vector<std::int64_t> out;
  const std::string_view text = field.is_null() ? std::string_view{} : field.c_str();
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::int64_t value = 0;
    std::from_chars(text.data() + start, text.data() + end, value);
    out.push_back(value);
    start = end + 1;
  }
  return out;
}

std::string arrayLiteral(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

std::optional<std::string> optionalArray(const std::optional<std::vector<std::int64_t>>& ids) {
  if (!ids) return std::nullopt;
  return arrayLiteral(*ids);
}

UserRecord userFrom(const pqxx::row& row) {
  UserRecord u;
  u.id = row[0].as<std::int64_t>();
  u.organisationId = row[1].as<std::int64_t>();
  u.organisationName = row[2].as<std::string>();
  u.organisationKind = row[3].as<std::string>();
  u.username = row[4].as<std::string>();
  u.displayName = row[5].as<std::string>();
  u.email = row[6].as<std::string>();
  u.role = parseRole(row[7].c_str()).value_or(Role::kCustomerViewer);
  u.siteIds = idList(row[8]);
  u.deviceGroupIds = idList(row[9]);
  u.locale = row[10].as<std::string>();
  u.disabled = row[11].as<bool>();
  u.disabledReason = row[12].as<std::string>();
  u.totpEnabled = row[13].as<bool>();
  u.hasPassword = row[14].as<bool>();
  u.passwordChangeRequired = row[15].as<bool>();
  if (!row[16].is_null()) u.lastSignInAt = fromMicros(row[16].as<std::int64_t>());
  u.createdAt = fromMicros(row[17].as<std::int64_t>());
  u.updatedAt = fromMicros(row[18].as<std::int64_t>());
  return u;
}

OrganisationRef organisationFrom(const pqxx::row& row) {
  OrganisationRef o;
  o.id = row[0].as<std::int64_t>();
  o.kind = row[1].as<std::string>();
  o.name = row[2].as<std::string>();
  o.path = idList(row[3]);
  return o;
}

}  // namespace

PgUsers::PgUsers(pqxx::transaction_base& txn) : txn_(txn) {
  for (const auto& s : statements()) txn_.conn().prepare(s.name, s.sql);
}

std::int64_t PgUsers::create(const NewUser& user) {
  try {
    // A refusal aborts the caller's transaction: the request fails as a whole.
    const auto r =
        txn_.exec_prepared("users_create", user.organisationId, user.username, user.displayName,
                           user.email, std::string(toString(user.role)), arrayLiteral(user.siteIds),
                           arrayLiteral(user.deviceGroupIds), user.locale, user.passwordHash,
                           user.passwordChangeRequired);
    return r[0][0].as<std::int64_t>();
  } catch (const pqxx::unique_violation&) {
    throw UserError(UserError::Kind::kConflict, "the user name '" + user.username + "' is taken");
  } catch (const pqxx::integrity_constraint_violation& e) {
    throw UserError(UserError::Kind::kInvalid,
                    std::string("the database refused the user: ") + e.what());
  } catch (const pqxx::insufficient_privilege&) {
    throw UserError(UserError::Kind::kNotFound, "no such organisation");
  }
}

std::optional<UserRecord> PgUsers::byId(std::int64_t id) {
  const auto r = txn_.exec_prepared("users_by_id", id);
  if (r.empty()) return std::nullopt;
  return userFrom(r[0]);
}

std::optional<UserRecord> PgUsers::byName(const std::string& username) {
  const auto r = txn_.exec_prepared("users_by_name", username);
  if (r.empty()) return std::nullopt;
  return userFrom(r[0]);
}

std::vector<UserRecord> PgUsers::list(std::int64_t organisationId, std::int64_t afterId, int limit,
                                      std::int64_t subtreeOf) {
  std::vector<UserRecord> out;
  for (const auto& row :
       txn_.exec_prepared("users_list", organisationId, afterId, limit, subtreeOf)) {
    out.push_back(userFrom(row));
  }
  return out;
}

UserRecord PgUsers::update(std::int64_t id, const UserChanges& c, util::Clock::WallTime at) {
  std::optional<std::string> role;
  if (c.role) role = std::string(toString(*c.role));
  const auto r = txn_.exec_prepared("users_update", id, c.displayName, c.email, role, c.locale,
                                    optionalArray(c.siteIds), optionalArray(c.deviceGroupIds),
                                    c.disabled, toMicros(at));
  if (r.empty()) throw UserError(UserError::Kind::kNotFound, "no user " + std::to_string(id));
  return *byId(id);
}

std::optional<OrganisationRef> PgUsers::organisation(std::int64_t id) {
  const auto r = txn_.exec_prepared("users_org_by_id", id);
  if (r.empty()) return std::nullopt;
  return organisationFrom(r[0]);
}

std::optional<OrganisationRef> PgUsers::organisationNamed(const std::string& kind,
                                                          const std::string& name) {
  const auto r = txn_.exec_prepared("users_org_by_name", kind, name);
  if (r.empty()) return std::nullopt;
  return organisationFrom(r[0]);
}

std::optional<OrganisationRef> PgUsers::organisationNamedUniquely(const std::string& name) {
  const auto r = txn_.exec_prepared("users_org_by_name_any", name);
  if (r.size() != 1) return std::nullopt;
  return organisationFrom(r[0]);
}

}  // namespace openmps::server::auth
