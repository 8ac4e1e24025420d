#include "server/store/pg_partitions.hpp"

#include <stdexcept>

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
    : task_(
          std::string(kLog),
          [&clock, ensure = std::move(ensure)] {
            try {
              ensure(utcYear(clock.now()));
            } catch (const std::exception& e) {
              throw std::runtime_error(std::string("could not create the yearly partitions: ") +
                                       e.what());
            }
          },
          interval, retry) {}

}  // namespace openmps::server::store
