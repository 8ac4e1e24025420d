#pragma once

#include <string>
#include <vector>

#include "shared/util/secret.hpp"

namespace openmps::server::store {

struct MigrationReport {
  std::vector<std::string> applied;  // names applied by this run
  std::size_t alreadyApplied = 0;
};

// Applies every embedded migration not yet recorded in schema_migrations,
// all in one transaction under an advisory lock (two servers migrating at
// once take turns), then makes sure the yearly partitions from
// currentYear-1 to currentYear+2 exist. Idempotent.
MigrationReport migrateDatabase(const util::Secret& databaseUri, int currentYear);

}  // namespace openmps::server::store
