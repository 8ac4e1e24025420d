#pragma once

#include <functional>
#include <memory>

#include "shared/util/secret.hpp"

namespace pqxx {
class transaction_base;
}

// A fixed set of PostgreSQL connections for the API's requests; a request
// borrows one for its one transaction and gives it back. Connections that
// broke are replaced at their next use.
namespace openmps::server::api {

enum class Finish { kCommit, kRollback };

class PgPool {
 public:
  PgPool(util::Secret databaseUri, int size);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // Runs `work` in one transaction on a borrowed connection (waiting for
  // one when all are busy); commits or rolls back as it says. Exceptions
  // from `work` roll back and pass on.
  void transact(const std::function<Finish(pqxx::transaction_base&)>& work);

  int size() const;
  int busy() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::api
