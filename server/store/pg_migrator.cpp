#include "server/store/pg_migrator.hpp"

#include <set>

#include <pqxx/pqxx>

#include "server/store/migrations.hpp"
#include "server/store/pg_partitions.hpp"

namespace openmps::server::store {
namespace {

// Any constant will do; it only has to be the same for every server.
constexpr long long kMigrationLockId = 0x4f4d50535f4d4947;  // "OMPS_MIG"

}  // namespace

MigrationReport migrateDatabase(const util::Secret& databaseUri, int currentYear) {
  const auto migrations = embeddedMigrations();
  checkMigrationOrder(migrations);
  pqxx::connection conn(databaseUri.reveal());
  pqxx::work txn(conn);
  txn.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockId);
  txn.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " name text PRIMARY KEY,"
      " applied_at timestamptz NOT NULL DEFAULT now())");
  std::set<std::string> done;
  for (const auto& row : txn.exec("SELECT name FROM schema_migrations")) {
    done.insert(row[0].as<std::string>());
  }
  MigrationReport report;
  for (const auto& m : migrations) {
    if (done.contains(m.name)) {
      ++report.alreadyApplied;
      continue;
    }
    try {
      txn.exec(m.sql);
    } catch (const pqxx::sql_error& e) {
      throw std::runtime_error(std::string("migration ") + m.name + " failed: " + e.what());
    }
    txn.exec_params("INSERT INTO schema_migrations (name) VALUES ($1)", std::string(m.name));
    report.applied.emplace_back(m.name);
  }
  const auto years = partitionYearsAround(currentYear);
  txn.exec_params("SELECT openmps_ensure_partitions($1, $2)", years.first, years.last);
  txn.commit();
  return report;
}

}  // namespace openmps::server::store
