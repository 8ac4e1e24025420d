#pragma once

#include <memory>
#include <string>
#include <vector>

namespace pqxx {
class transaction_base;
}

// COPY ... FROM STDIN of text the caller has already escaped
// (row_text.hpp): one CopyData message per write, however many lines it
// holds. A message per row (with its field conversions) cost more than the
// database spent storing it. Used by ingest and by the test fleet generator.
namespace openmps::server::store {

class PgCopy {
 public:
  PgCopy(pqxx::transaction_base& txn, const std::string& table,
         const std::vector<std::string>& columns);
  ~PgCopy();
  PgCopy(const PgCopy&) = delete;
  PgCopy& operator=(const PgCopy&) = delete;

  // Sends whole lines, each ending in a newline, and empties `lines`.
  void write(std::string& lines);
  // Ends the COPY; until then the transaction can do nothing else.
  void complete();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One COPY of `lines` (whole lines, each ending in a newline); nothing
// when empty.
void copyText(pqxx::transaction_base& txn, const std::string& table,
              const std::vector<std::string>& columns, std::string& lines);

}  // namespace openmps::server::store
