#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "server/notify/delivery_store.hpp"
#include "shared/util/secret.hpp"

namespace pqxx {
class transaction_base;
}

// The PostgreSQL adapter of the delivery seam: its own connection, which
// LISTENs on the outbox channel; a claim is a row locked FOR UPDATE SKIP
// LOCKED by a transaction that stays open until the outcome is written.
namespace openmps::server::notify {

// Loads the bytes of an attachment stored as a reference (source,
// sourceId), inside the claiming transaction. Registered per source name
// by the feature that writes such attachments (reports, say).
using AttachmentLoader =
    std::function<std::string(pqxx::transaction_base& txn, std::int64_t sourceId)>;
using AttachmentLoaders = std::map<std::string, AttachmentLoader, std::less<>>;

class PgDeliveryStore final : public DeliveryStore {
 public:
  PgDeliveryStore(const util::Secret& databaseUri, AttachmentLoaders loaders);
  ~PgDeliveryStore() override;
  PgDeliveryStore(const PgDeliveryStore&) = delete;
  PgDeliveryStore& operator=(const PgDeliveryStore&) = delete;

  std::optional<Delivery> claimNext(std::chrono::system_clock::time_point now,
                                    ChannelsReady channels) override;
  void finish(const Delivery& delivery, const Decision& decision, const std::string& detail,
              std::chrono::system_clock::time_point now) override;
  void abandon() override;
  bool waitForWork(std::chrono::milliseconds timeout) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::notify
