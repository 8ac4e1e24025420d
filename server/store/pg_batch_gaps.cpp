#include "server/store/pg_batch_gaps.hpp"

#include <pqxx/pqxx>

namespace openmps::server::store {

struct PgBatchGaps::Impl {
  util::Secret uri;
  std::unique_ptr<pqxx::connection> conn;
};

PgBatchGaps::PgBatchGaps(util::Secret databaseUri) : impl_(std::make_unique<Impl>()) {
  impl_->uri = std::move(databaseUri);
}

PgBatchGaps::~PgBatchGaps() = default;

StoredBatchGaps PgBatchGaps::query(std::uint64_t clientId) {
  try {
    if (!impl_->conn) impl_->conn = std::make_unique<pqxx::connection>(impl_->uri.reveal());
    pqxx::read_transaction txn(*impl_->conn);
    const auto id = static_cast<std::int64_t>(clientId);
    StoredBatchGaps out;
    out.highest = txn.exec_params1(
                         "SELECT coalesce(max(batch_seq), 0) FROM ingest_batches "
                         "WHERE collector_id = $1",
                         id)[0]
                      .as<std::uint64_t>();
    const auto rows = txn.exec_params(
        "SELECT first_missing, last_missing FROM collector_batch_gaps "
        "WHERE collector_id = $1 ORDER BY first_missing LIMIT $2",
        id, kMaxGapRanges);
    out.missing.reserve(rows.size());
    for (const auto& row : rows) {
      out.missing.emplace_back(row[0].as<std::uint64_t>(), row[1].as<std::uint64_t>());
    }
    return out;
  } catch (...) {
    impl_->conn.reset();  // a broken connection is opened again next time
    throw;
  }
}

}  // namespace openmps::server::store
