#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "shared/util/secret.hpp"

namespace pqxx {
class transaction_base;
}

// Administration of organisations and collectors: the CLI's org and
// collector commands (PgAdmin, one transaction per call) and the API's
// routes (the functions on a transaction below, inside the request's one
// transaction) run the same statements.
namespace openmps::server::store {

// A request that cannot be done as asked (a name taken, a parent missing).
class AdminError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Organisation {
  std::int64_t id = 0;
  std::string kind;  // root, dealer, customer, site
  std::string name;
  std::int64_t parentId = 0;
};

// An enrolled client as the administration sees it; times are RFC 3339
// UTC, empty when never.
struct CollectorRow {
  std::uint64_t id = 0;
  std::string customer;
  std::string name;
  std::string createdAt;
  std::string revokedAt;
  std::string lastSeenAt;
  std::string lastCarrier;
  std::string lastPeer;
  std::int64_t lastBatchSeq = 0;
};

// In the caller's transaction. AdminError names what is wrong.
Organisation insertDealer(pqxx::transaction_base& txn, const std::string& name);
// A customer under the dealer `dealerId`, starting with the dealer's time
// zone, billing day, lead time and language.
Organisation insertCustomer(pqxx::transaction_base& txn, const std::string& name,
                            std::int64_t dealerId);
// A site under the customer `customerId` (a building or branch whose
// devices restricted accounts may be limited to), with the customer's
// settings. Site names are unique per customer.
Organisation insertSite(pqxx::transaction_base& txn, const std::string& name,
                        std::int64_t customerId);
// Removes a site; its devices keep their customer and lose the site. false
// when there is no such site; AdminError while something still names it.
bool deleteSite(pqxx::transaction_base& txn, std::int64_t siteId);
// A new collector under the customer, with a fresh random id below 2^53.
std::uint64_t insertCollector(pqxx::transaction_base& txn, std::int64_t customerId,
                              const std::string& name);
// Revoking twice keeps the first time; false when there is no such collector.
bool markCollectorRevoked(pqxx::transaction_base& txn, std::uint64_t id);

class PgAdmin {
 public:
  explicit PgAdmin(const util::Secret& databaseUri);
  ~PgAdmin();
  PgAdmin(const PgAdmin&) = delete;
  PgAdmin& operator=(const PgAdmin&) = delete;

  Organisation addDealer(const std::string& name);
  Organisation addCustomer(const std::string& name, const std::string& dealerName);
  // Case-insensitive, by kind ("dealer" or "customer").
  std::optional<Organisation> findOrganisation(const std::string& kind, const std::string& name);
  // A new collector under the customer, with a fresh random id below 2^53.
  std::uint64_t addCollector(std::int64_t customerId, const std::string& name);
  // Every collector, or those of one customer, oldest first.
  std::vector<CollectorRow> listCollectors(std::optional<std::int64_t> customerId);
  // From now on its batches are refused (fault "unknown client"); for good:
  // a replacement machine gets a new collector. Revoking twice keeps the
  // first time. Fails with AdminError when there is no such collector.
  CollectorRow revokeCollector(std::uint64_t id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `collector list` output: an aligned table, or a JSON array of objects
// with the CollectorRow fields in snake_case (null for "never").
std::string collectorsToText(const std::vector<CollectorRow>& rows);
std::string collectorsToJson(const std::vector<CollectorRow>& rows);

// Names of organisations: 1..200 characters, no control characters.
// Returns the problem, empty when the name is fine.
std::string organisationNameProblem(const std::string& name);

}  // namespace openmps::server::store
