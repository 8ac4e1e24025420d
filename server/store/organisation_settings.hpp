#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pqxx {
class transaction_base;
}

// An organisation's time zone, billing day, order lead time and language
// (organisations columns, migration 0005): billing periods, forecasts'
// order-by dates, alert quiet hours and the language of mail and reports.
namespace openmps::server::store {

struct OrganisationSettings {
  std::optional<std::string> timeZone;  // IANA name
  std::optional<int> billingDay;        // 1..31 (past a month's end: its last day)
  std::optional<int> leadDays;          // 0..365
  std::optional<std::string> locale;    // en, de, fr, it
};

// What is wrong with the given values (naming the field), empty when nothing.
std::string settingsProblem(const OrganisationSettings& settings);

struct SettingsChange {
  std::string before;  // JSON objects of the four values, for the audit log
  std::string after;
};

// Sets the given values (the others stay) in the caller's transaction.
// std::invalid_argument for bad values, std::runtime_error for no such id.
SettingsChange updateOrganisationSettings(pqxx::transaction_base& txn, std::int64_t organisationId,
                                          const OrganisationSettings& settings);

}  // namespace openmps::server::store
