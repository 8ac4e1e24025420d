#include "server/metrics/pg_readiness.hpp"

#include <mutex>

#include <pqxx/pqxx>

#include "shared/util/log.hpp"

namespace openmps::server::metrics {

struct PgReadiness::Impl {
  util::Secret uri;
  std::mutex checking;  // held while a check talks to the database
  std::unique_ptr<pqxx::connection> conn;
  mutable std::mutex lastMutex;
  std::string last = "not checked yet";

  std::string lastResult() const {
    const std::lock_guard lock(lastMutex);
    return last;
  }
  std::string remember(std::string result) {
    const std::lock_guard lock(lastMutex);
    last = result;
    return result;
  }
};

PgReadiness::PgReadiness(util::Secret databaseUri) : impl_(std::make_unique<Impl>()) {
  impl_->uri = std::move(databaseUri);
}

PgReadiness::~PgReadiness() = default;

std::string PgReadiness::check() {
  const std::unique_lock lock(impl_->checking, std::try_to_lock);
  // Another check is waiting for the database: answer with what was seen last.
  if (!lock.owns_lock()) return impl_->lastResult();
  try {
    if (!impl_->conn || !impl_->conn->is_open()) {
      impl_->conn = std::make_unique<pqxx::connection>(impl_->uri.reveal());
    }
    pqxx::nontransaction txn(*impl_->conn);
    txn.exec1("SELECT 1");
    return impl_->remember("");
  } catch (const std::exception& e) {
    util::logWarning("metrics") << "readiness: the database does not answer: " << e.what();
    impl_->conn.reset();
    return impl_->remember("the database does not answer");
  }
}

}  // namespace openmps::server::metrics
