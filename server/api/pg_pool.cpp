#include "server/api/pg_pool.hpp"

#include <condition_variable>
#include <mutex>
#include <vector>

#include <pqxx/pqxx>

namespace openmps::server::api {

struct PgPool::Impl {
  util::Secret uri;
  int size = 0;
  std::mutex mutex;
  std::condition_variable freed;
  std::vector<std::unique_ptr<pqxx::connection>> idle;
  int lent = 0;

  std::unique_ptr<pqxx::connection> borrow() {
    std::unique_lock lock(mutex);
    freed.wait(lock, [&] { return !idle.empty() || lent < size; });
    ++lent;
    if (!idle.empty()) {
      auto conn = std::move(idle.back());
      idle.pop_back();
      return conn;
    }
    return nullptr;  // the caller opens a new one, outside the lock
  }
  void giveBack(std::unique_ptr<pqxx::connection> conn) {
    {
      const std::lock_guard lock(mutex);
      --lent;
      if (conn && conn->is_open()) idle.push_back(std::move(conn));
    }
    freed.notify_one();
  }
};

PgPool::PgPool(util::Secret databaseUri, int size) : impl_(std::make_unique<Impl>()) {
  impl_->uri = std::move(databaseUri);
  impl_->size = size < 1 ? 1 : size;
}

PgPool::~PgPool() = default;

void PgPool::transact(const std::function<Finish(pqxx::transaction_base&)>& work) {
  std::unique_ptr<pqxx::connection> conn = impl_->borrow();
  try {
    if (!conn || !conn->is_open()) conn = std::make_unique<pqxx::connection>(impl_->uri.reveal());
    {
      pqxx::work txn(*conn);
      if (work(txn) == Finish::kCommit) txn.commit();
    }
  } catch (...) {
    // A connection that failed mid-transaction may be broken: drop it.
    if (conn && !conn->is_open()) conn.reset();
    impl_->giveBack(std::move(conn));
    throw;
  }
  impl_->giveBack(std::move(conn));
}

int PgPool::size() const {
  return impl_->size;
}

int PgPool::busy() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->lent;
}

}  // namespace openmps::server::api
