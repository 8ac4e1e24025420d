#include "server/store/pg_partitions.hpp"

#include <pqxx/pqxx>

#include "shared/util/log.hpp"

namespace openmps::server::store {
namespace {

constexpr std::string_view kLog = "partitions";

}  // namespace

PartitionYears partitionYearsAround(int year) {
  return {year - 1, year + 2};
}

int utcYear(std::chrono::system_clock::time_point t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  return static_cast<int>(std::chrono::year_month_day(day).year());
}

void ensurePartitions(const util::Secret& databaseUri, int currentYear) {
  const auto years = partitionYearsAround(currentYear);
  pqxx::connection conn(databaseUri.reveal());
  pqxx::work txn(conn);
  txn.exec_params("SELECT openmps_ensure_partitions($1, $2)", years.first, years.last);
  txn.commit();
}

PartitionKeeper::PartitionKeeper(const util::Clock& clock, std::function<void(int year)> ensure,
                                 std::chrono::minutes interval, std::chrono::minutes retry)
    : clock_(clock), ensure_(std::move(ensure)), interval_(interval), retry_(retry) {}

PartitionKeeper::~PartitionKeeper() {
  stop();
}

void PartitionKeeper::start() {
  thread_ = std::thread([this] { loop(); });
}

void PartitionKeeper::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void PartitionKeeper::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto wait = interval_;
    lock.unlock();
    try {
      ensure_(utcYear(clock_.now()));
    } catch (const std::exception& e) {
      util::logWarning(kLog) << "could not create the yearly partitions: " << e.what()
                             << "; trying again in " << retry_.count() << " minutes";
      wait = retry_;
    }
    lock.lock();
    wake_.wait_for(lock, wait, [this] { return stopping_; });
  }
}

}  // namespace openmps::server::store
