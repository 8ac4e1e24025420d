#include "server/auth/pg_api_tokens.hpp"

#include <array>

#include <pqxx/pqxx>

#include "server/auth/pg_auth_store.hpp"

namespace openmps::server::auth {
namespace {

#define OMPS_AT(x) "(timestamptz 'epoch' + (" x ") * interval '1 microsecond')"
#define OMPS_US(x) "(extract(epoch FROM " x ") * 1000000)::bigint"

constexpr const char* kColumns =
    "SELECT t.id, t.name, t.hint, t.organisation_id, t.role, coalesce(t.created_by, 0), " OMPS_US(
        "t.created_at") ", " OMPS_US("t.expires_at") ", " OMPS_US("t.revoked_at") ", " OMPS_US(
        "t.last_used_at") ", array_to_string(o.path, ',')"
                          " FROM api_tokens t JOIN organisations o ON o.id = t.organisation_id";

struct Statement {
  const char* name;
  std::string sql;
};

// Every statement of this adapter, by name.
const std::array<Statement, 4>& statements() {
  static const std::array<Statement, 4> kStatements = {{
      {"tokens_create",
       "INSERT INTO api_tokens (token_hash, hint, name, organisation_id, role, created_by,"
       " created_at, expires_at) VALUES ($1, $2, $3, $4, $5, nullif($6, 0), " OMPS_AT(
           "$7") ", CASE WHEN $8::bigint IS NULL THEN NULL ELSE " OMPS_AT("$8") " END)"
                                                                                " RETURNING id"},
      {"tokens_by_id", std::string(kColumns) + " WHERE t.id = $1"},
      {"tokens_list",
       std::string(kColumns) +
           " WHERE ($1::bigint = 0 OR t.organisation_id = $1) AND t.id > $2"
           " AND ($4::bigint = 0 OR o.path @> ARRAY[$4]::bigint[]) ORDER BY t.id LIMIT $3"},
      {"tokens_revoke", "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, " OMPS_AT(
                            "$2") ")"
                                  " WHERE id = $1 RETURNING id"},
  }};
  return kStatements;
}

#undef OMPS_AT
#undef OMPS_US

std::optional<util::Clock::WallTime> optionalTime(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return fromMicros(f.as<std::int64_t>());
}

ApiTokenRow rowFrom(const pqxx::row& r) {
  ApiTokenRow t;
  t.id = r[0].as<std::int64_t>();
  t.name = r[1].as<std::string>();
  t.hint = r[2].as<std::string>();
  t.organisationId = r[3].as<std::int64_t>();
  t.role = parseRole(r[4].c_str()).value_or(Role::kCustomerViewer);
  t.createdBy = r[5].as<std::int64_t>();
  t.createdAt = fromMicros(r[6].as<std::int64_t>());
  t.expiresAt = optionalTime(r[7]);
  t.revokedAt = optionalTime(r[8]);
  t.lastUsedAt = optionalTime(r[9]);
  const std::string path = r[10].as<std::string>();
  for (std::size_t start = 0; start < path.size();) {
    std::size_t end = path.find(',', start);
    if (end == std::string::npos) end = path.size();
    t.organisationPath.push_back(std::stoll(path.substr(start, end - start)));
    start = end + 1;
  }
  return t;
}

}  // namespace

PgApiTokens::PgApiTokens(pqxx::transaction_base& txn) : txn_(txn) {
  for (const auto& s : statements()) txn_.conn().prepare(s.name, s.sql);
}

std::int64_t PgApiTokens::create(const NewApiToken& token, util::Clock::WallTime at) {
  std::optional<std::int64_t> expires;
  if (token.expiresAt) expires = toMicros(*token.expiresAt);
  return txn_
      .exec_prepared("tokens_create", pqxx::binarystring(token.hash.data(), token.hash.size()),
                     token.hint, token.name, token.organisationId,
                     std::string(toString(token.role)), token.createdBy, toMicros(at),
                     expires)[0][0]
      .as<std::int64_t>();
}

std::optional<ApiTokenRow> PgApiTokens::byId(std::int64_t id) {
  const auto r = txn_.exec_prepared("tokens_by_id", id);
  if (r.empty()) return std::nullopt;
  return rowFrom(r[0]);
}

std::vector<ApiTokenRow> PgApiTokens::list(std::int64_t organisationId, std::int64_t afterId,
                                           int limit, std::int64_t subtreeOf) {
  std::vector<ApiTokenRow> out;
  for (const auto& row :
       txn_.exec_prepared("tokens_list", organisationId, afterId, limit, subtreeOf)) {
    out.push_back(rowFrom(row));
  }
  return out;
}

bool PgApiTokens::revoke(std::int64_t id, util::Clock::WallTime at) {
  return !txn_.exec_prepared("tokens_revoke", id, toMicros(at)).empty();
}

}  // namespace openmps::server::auth
