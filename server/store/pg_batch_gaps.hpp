#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "shared/util/secret.hpp"

namespace openmps::server::store {

struct StoredBatchGaps {
  std::uint64_t highest = 0;  // the highest batch number stored for the client
  // Ranges below it that were never stored (first, last inclusive), in
  // increasing order, at most kMaxGapRanges of them.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> missing;
};

inline constexpr int kMaxGapRanges = 1000;

// The holes in a client's batch numbers as PostgreSQL knows them (the view
// collector_batch_gaps over every carrier's batches). One connection,
// opened on first use and again after a failure; not thread-safe.
class PgBatchGaps {
 public:
  explicit PgBatchGaps(util::Secret databaseUri);
  ~PgBatchGaps();
  PgBatchGaps(const PgBatchGaps&) = delete;
  PgBatchGaps& operator=(const PgBatchGaps&) = delete;

  // Throws std::exception (pqxx's) when the database cannot answer.
  StoredBatchGaps query(std::uint64_t clientId);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::store
