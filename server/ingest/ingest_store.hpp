#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "shared/envelope/batch.hpp"

// The database seam of ingest. server/store/pg_ingest_store.cpp is the
// PostgreSQL adapter; unit tests of the Ingestor use a fake.
namespace openmps::server::ingest {

using Digest = std::array<unsigned char, 32>;

struct CollectorInfo {
  std::uint64_t id = 0;
  std::int64_t customerId = 0;
  bool revoked = false;
};

enum class StoreStatus {
  kStored,     // committed now
  kDuplicate,  // this exact batch was committed before: nothing stored
  kConflict,   // the batch number was used for other content: nothing stored
};

struct StoreResult {
  StoreStatus status = StoreStatus::kStored;
  std::int64_t itemsStored = 0;  // items new to the database (per-item dedupe)
};

// The database cannot be reached or failed in a way that may pass (the
// client should retry later with the same envelope).
class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class IngestStore {
 public:
  virtual ~IngestStore() = default;
  virtual std::optional<CollectorInfo> findCollector(std::uint64_t clientId) = 0;
  // Stores the whole batch in one transaction, or nothing. The batch's
  // (client, seq, digest) is recorded in the same transaction, so the
  // classification of a repeat and the data can never disagree.
  virtual StoreResult storeBatch(const CollectorInfo& collector, const envelope::Batch& batch,
                                 const Digest& digest, std::string_view carrier,
                                 std::string_view peer) = 0;
};

}  // namespace openmps::server::ingest
