#pragma once

#include <span>
#include <string>
#include <string_view>

// The schema as numbered SQL migrations (server/store/migrations/*.sql),
// embedded into the binary at build time.
namespace openmps::server::store {

struct Migration {
  const char* name;  // "0001_initial"
  const char* sql;
};

// In order of their numbers.
std::span<const Migration> embeddedMigrations();

// Checks the names: four digits, underscore, a word; numbers strictly
// increasing. Throws std::logic_error naming the bad one.
void checkMigrationOrder(std::span<const Migration> migrations);

}  // namespace openmps::server::store
