#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "server/auth/audit.hpp"

namespace pqxx {
class transaction_base;
}

// What people set for reports: a dealer's ERP meter names and the duty
// cycles of models. Every change is written to the audit log in the
// caller's transaction.
namespace openmps::server::reports {

class ReportSettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PgReportAdmin {
 public:
  PgReportAdmin(pqxx::transaction_base& txn, auth::AuditActor actor);

  std::map<std::string, std::string> meterNames(std::int64_t dealerId);
  // counter: a name of the counter vocabulary or custom.<name>; name: 1-64
  // printable characters.
  void setMeterName(std::int64_t dealerId, const std::string& counter, const std::string& name);
  void removeMeterName(std::int64_t dealerId, const std::string& counter);

  std::vector<std::pair<std::string, std::int64_t>> dutyCycles();
  // pages 0 removes the model's entry.
  void setDutyCycle(const std::string& model, std::int64_t pages);

 private:
  pqxx::transaction_base& txn_;
  auth::AuditActor actor_;
};

}  // namespace openmps::server::reports
