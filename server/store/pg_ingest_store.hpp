#pragma once

#include <memory>

#include "server/ingest/ingest_store.hpp"
#include "shared/util/secret.hpp"

namespace openmps::server::store {

// The PostgreSQL adapter of the ingest seam: one connection, one batch per
// transaction, a handful of set-based statements per batch (arrays passed
// to unnest) rather than a statement per reading.
class PgIngestStore final : public ingest::IngestStore {
 public:
  // Throws ingest::StoreUnavailable when the database cannot be reached.
  explicit PgIngestStore(const util::Secret& databaseUri);
  ~PgIngestStore() override;
  PgIngestStore(const PgIngestStore&) = delete;
  PgIngestStore& operator=(const PgIngestStore&) = delete;

  std::optional<ingest::CollectorInfo> findCollector(std::uint64_t clientId) override;
  ingest::StoreResult storeBatch(const ingest::CollectorInfo& collector,
                                 const envelope::Batch& batch, const ingest::Digest& digest,
                                 std::string_view carrier, std::string_view peer) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::store
