#pragma once

#include <functional>
#include <memory>

#include "server/ingest/batch_planner.hpp"
#include "server/ingest/ingest_store.hpp"
#include "shared/util/secret.hpp"

namespace openmps::server::store {

// The PostgreSQL adapter of the ingest seam: one connection, one batch per
// transaction, a handful of set-based statements per batch (arrays passed
// to unnest, COPY for the time series) rather than a statement per
// reading. It fetches what the planner needs (ingest/batch_planner.hpp),
// and writes its plan, the events included, in the same transaction.
class PgIngestStore final : public ingest::IngestStore {
 public:
  // The planner's options for the next batch (the alert rules in force);
  // empty: the defaults.
  using PlannerOptionsSource = std::function<ingest::PlannerOptions()>;

  // Throws ingest::StoreUnavailable when the database cannot be reached.
  explicit PgIngestStore(const util::Secret& databaseUri, PlannerOptionsSource options = {});
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
