#include "server/store/pg_admin.hpp"

#include <pqxx/pqxx>
#include <sodium.h>

namespace openmps::server::store {
namespace {

constexpr std::uint64_t kMaxClientId = (std::uint64_t{1} << 53) - 1;

Organisation rowToOrganisation(const pqxx::row& row) {
  Organisation o;
  o.id = row[0].as<std::int64_t>();
  o.kind = row[1].as<std::string>();
  o.name = row[2].as<std::string>();
  o.parentId = row[3].is_null() ? 0 : row[3].as<std::int64_t>();
  return o;
}

constexpr const char* kCollectorColumns =
    "c.id, o.name, c.name, "
    "to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "coalesce(to_char(c.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
    "coalesce(to_char(c.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
    "coalesce(c.last_carrier, ''), coalesce(c.last_peer, ''), coalesce(c.last_batch_seq, 0) "
    "FROM collectors c JOIN organisations o ON o.id = c.customer_id";

CollectorRow rowToCollector(const pqxx::row& row) {
  CollectorRow c;
  c.id = static_cast<std::uint64_t>(row[0].as<std::int64_t>());
  c.customer = row[1].as<std::string>();
  c.name = row[2].as<std::string>();
  c.createdAt = row[3].as<std::string>();
  c.revokedAt = row[4].as<std::string>();
  c.lastSeenAt = row[5].as<std::string>();
  c.lastCarrier = row[6].as<std::string>();
  c.lastPeer = row[7].as<std::string>();
  c.lastBatchSeq = row[8].as<std::int64_t>();
  return c;
}

}  // namespace

struct PgAdmin::Impl {
  explicit Impl(const util::Secret& uri) : conn(uri.reveal()) {}
  pqxx::connection conn;
};

std::string organisationNameProblem(const std::string& name) {
  if (name.empty()) {
    return "the name is empty";
  }
  if (name.size() > 200) {
    return "the name is longer than 200 characters";
  }
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return "the name contains a control character";
    }
  }
  return {};
}

PgAdmin::PgAdmin(const util::Secret& databaseUri) : impl_(std::make_unique<Impl>(databaseUri)) {}
PgAdmin::~PgAdmin() = default;

std::optional<Organisation> PgAdmin::findOrganisation(const std::string& kind,
                                                      const std::string& name) {
  pqxx::read_transaction txn(impl_->conn);
  const auto r = txn.exec_params(
      "SELECT id, kind, name, parent_id FROM organisations WHERE kind = $1 AND lower(name) = "
      "lower($2)",
      kind, name);
  if (r.empty()) {
    return std::nullopt;
  }
  return rowToOrganisation(r[0]);
}

Organisation insertDealer(pqxx::transaction_base& txn, const std::string& name) {
  if (const auto problem = organisationNameProblem(name); !problem.empty()) {
    throw AdminError("dealer '" + name + "': " + problem);
  }
  const auto r = txn.exec_params(
      "INSERT INTO organisations (kind, name, parent_id, path) "
      "SELECT 'dealer', $1, root.id, root.path FROM organisations root WHERE root.kind = 'root' "
      "ON CONFLICT DO NOTHING RETURNING id, kind, name, parent_id",
      name);
  if (r.empty()) {
    throw AdminError("a dealer named '" + name + "' exists already");
  }
  Organisation o = rowToOrganisation(r[0]);
  txn.exec_params("UPDATE organisations SET path = path || id WHERE id = $1", o.id);
  return o;
}

Organisation insertCustomer(pqxx::transaction_base& txn, const std::string& name,
                            std::int64_t dealerId) {
  if (const auto problem = organisationNameProblem(name); !problem.empty()) {
    throw AdminError("customer '" + name + "': " + problem);
  }
  const auto r = txn.exec_params(
      "INSERT INTO organisations (kind, name, parent_id, path, time_zone, billing_day, "
      "order_lead_days, locale) SELECT 'customer', $1, d.id, d.path, d.time_zone, d.billing_day, "
      "d.order_lead_days, d.locale FROM organisations d WHERE d.id = $2 AND d.kind = 'dealer' "
      "ON CONFLICT DO NOTHING RETURNING id, kind, name, parent_id",
      name, dealerId);
  if (r.empty()) {
    const auto dealer =
        txn.exec_params("SELECT 1 FROM organisations WHERE id = $1 AND kind = 'dealer'", dealerId);
    if (dealer.empty())
      throw AdminError("organisation " + std::to_string(dealerId) + " is not a dealer");
    throw AdminError("a customer named '" + name + "' exists already");
  }
  Organisation o = rowToOrganisation(r[0]);
  txn.exec_params("UPDATE organisations SET path = path || id WHERE id = $1", o.id);
  return o;
}

Organisation insertSite(pqxx::transaction_base& txn, const std::string& name,
                        std::int64_t customerId) {
  if (const auto problem = organisationNameProblem(name); !problem.empty()) {
    throw AdminError("site '" + name + "': " + problem);
  }
  const auto r = txn.exec_params(
      "INSERT INTO organisations (kind, name, parent_id, path, time_zone, billing_day, "
      "order_lead_days, locale) SELECT 'site', $1, c.id, c.path, c.time_zone, c.billing_day, "
      "c.order_lead_days, c.locale FROM organisations c WHERE c.id = $2 AND c.kind = 'customer' "
      "ON CONFLICT DO NOTHING RETURNING id, kind, name, parent_id",
      name, customerId);
  if (r.empty()) {
    const auto customer = txn.exec_params(
        "SELECT 1 FROM organisations WHERE id = $1 AND kind = 'customer'", customerId);
    if (customer.empty())
      throw AdminError("organisation " + std::to_string(customerId) + " is not a customer");
    throw AdminError("the customer has a site named '" + name + "' already");
  }
  Organisation o = rowToOrganisation(r[0]);
  txn.exec_params("UPDATE organisations SET path = path || id WHERE id = $1", o.id);
  return o;
}

bool deleteSite(pqxx::transaction_base& txn, std::int64_t siteId) {
  const auto users = txn.exec_params(
      "SELECT string_agg(username, ', ' ORDER BY username) FROM users WHERE $1 = ANY (site_ids)",
      siteId);
  if (!users[0][0].is_null()) {
    throw AdminError("accounts are restricted to the site: " + users[0][0].as<std::string>() +
                     "; change them first");
  }
  // The transaction is spoilt after a violation: the caller rolls it back.
  try {
    const auto r =
        txn.exec_params("DELETE FROM organisations WHERE id = $1 AND kind = 'site'", siteId);
    return r.affected_rows() == 1;
  } catch (const pqxx::foreign_key_violation&) {
    throw AdminError(
        "the site is still named by alert rules, reports or users; remove those first");
  }
}

std::uint64_t insertCollector(pqxx::transaction_base& txn, std::int64_t customerId,
                              const std::string& name) {
  if (sodium_init() < 0) {
    throw std::runtime_error("libsodium failed to initialise");
  }
  const auto customer = txn.exec_params(
      "SELECT 1 FROM organisations WHERE id = $1 AND kind = 'customer'", customerId);
  if (customer.empty()) {
    throw AdminError("organisation " + std::to_string(customerId) + " is not a customer");
  }
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::uint64_t id = 0;
    randombytes_buf(&id, sizeof id);
    id &= kMaxClientId;
    if (id == 0) {
      continue;
    }
    const auto r = txn.exec_params(
        "INSERT INTO collectors (id, customer_id, name) VALUES ($1, $2, $3) "
        "ON CONFLICT (id) DO NOTHING RETURNING id",
        static_cast<std::int64_t>(id), customerId, name);
    if (!r.empty()) {
      return id;
    }
  }
  throw AdminError("could not find a free collector id");
}

bool markCollectorRevoked(pqxx::transaction_base& txn, std::uint64_t id) {
  const auto sid = static_cast<std::int64_t>(id);
  txn.exec_params("UPDATE collectors SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
                  sid);
  return !txn.exec_params("SELECT 1 FROM collectors WHERE id = $1", sid).empty();
}

Organisation PgAdmin::addDealer(const std::string& name) {
  pqxx::work txn(impl_->conn);
  Organisation o = insertDealer(txn, name);
  txn.commit();
  return o;
}

Organisation PgAdmin::addCustomer(const std::string& name, const std::string& dealerName) {
  if (const auto problem = organisationNameProblem(name); !problem.empty()) {
    throw AdminError("customer '" + name + "': " + problem);
  }
  const auto dealer = findOrganisation("dealer", dealerName);
  if (!dealer) {
    throw AdminError("no dealer named '" + dealerName + "' (add it with: org add --dealer NAME)");
  }
  pqxx::work txn(impl_->conn);
  Organisation o = insertCustomer(txn, name, dealer->id);
  txn.commit();
  return o;
}

std::uint64_t PgAdmin::addCollector(std::int64_t customerId, const std::string& name) {
  pqxx::work txn(impl_->conn);
  const auto id = insertCollector(txn, customerId, name);
  txn.commit();
  return id;
}

std::vector<CollectorRow> PgAdmin::listCollectors(std::optional<std::int64_t> customerId) {
  pqxx::read_transaction txn(impl_->conn);
  const auto result =
      customerId
          ? txn.exec_params(std::string("SELECT ") + kCollectorColumns +
                                " WHERE c.customer_id = $1 ORDER BY c.created_at, c.id",
                            *customerId)
          : txn.exec(std::string("SELECT ") + kCollectorColumns + " ORDER BY c.created_at, c.id");
  std::vector<CollectorRow> out;
  out.reserve(result.size());
  for (const auto& row : result) {
    out.push_back(rowToCollector(row));
  }
  return out;
}

CollectorRow PgAdmin::revokeCollector(std::uint64_t id) {
  pqxx::work txn(impl_->conn);
  if (!markCollectorRevoked(txn, id)) {
    throw AdminError("no collector " + std::to_string(id) + " (see: collector list)");
  }
  const auto result =
      txn.exec_params(std::string("SELECT ") + kCollectorColumns + " WHERE c.id = $1",
                      static_cast<std::int64_t>(id));
  txn.commit();
  return rowToCollector(result[0]);
}

}  // namespace openmps::server::store
