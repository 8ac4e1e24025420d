#pragma once

#include <memory>
#include <string>

#include "shared/util/secret.hpp"

// Whether the database answers, for /readyz: one connection of its own,
// opened again after it broke. Checks never pile up: while one runs (a
// database that hangs), others answer with the last result.
namespace openmps::server::metrics {

class PgReadiness {
 public:
  explicit PgReadiness(util::Secret databaseUri);
  ~PgReadiness();
  PgReadiness(const PgReadiness&) = delete;
  PgReadiness& operator=(const PgReadiness&) = delete;

  // "" when SELECT 1 answered; otherwise why not.
  std::string check();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::metrics
