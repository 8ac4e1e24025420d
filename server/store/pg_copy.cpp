#include "server/store/pg_copy.hpp"

#include <pqxx/pqxx>
#include <pqxx/tablewriter>

namespace openmps::server::store {

// libpqxx 6 keeps raw lines private in stream_to; tablewriter offers them
// (its deprecation is about its own field escaping, not used here).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
struct PgCopy::Impl {
  Impl(pqxx::transaction_base& txn, const std::string& table,
       const std::vector<std::string>& columns)
      : writer(txn, table, columns.begin(), columns.end()) {}
  pqxx::tablewriter writer;
};

PgCopy::PgCopy(pqxx::transaction_base& txn, const std::string& table,
               const std::vector<std::string>& columns)
    : impl_(std::make_unique<Impl>(txn, table, columns)) {}

PgCopy::~PgCopy() = default;

void PgCopy::write(std::string& lines) {
  if (lines.empty()) {
    return;
  }
  lines.pop_back();  // write_raw_line adds the last newline
  impl_->writer.write_raw_line(lines);
  lines.clear();
}

void PgCopy::complete() {
  impl_->writer.complete();
}
#pragma GCC diagnostic pop

void copyText(pqxx::transaction_base& txn, const std::string& table,
              const std::vector<std::string>& columns, std::string& lines) {
  if (lines.empty()) {
    return;
  }
  PgCopy copy(txn, table, columns);
  copy.write(lines);
  copy.complete();
}

}  // namespace openmps::server::store
