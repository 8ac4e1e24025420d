#include "server/store/organisation_settings.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/meters/calendar.hpp"

namespace openmps::server::store {
namespace {

constexpr const char* kSelect =
    "SELECT time_zone, billing_day, order_lead_days, locale FROM organisations WHERE id = $1";
constexpr const char* kUpdate =
    "UPDATE organisations SET time_zone = coalesce($2, time_zone), "
    "billing_day = coalesce($3::smallint, billing_day), "
    "order_lead_days = coalesce($4::smallint, order_lead_days), locale = coalesce($5, locale) "
    "WHERE id = $1";

std::string settingsJson(const pqxx::row& r) {
  return nlohmann::json{{"time_zone", r[0].as<std::string>()},
                        {"billing_day", r[1].as<int>()},
                        {"order_lead_days", r[2].as<int>()},
                        {"locale", r[3].as<std::string>()}}
      .dump();
}

}  // namespace

std::string settingsProblem(const OrganisationSettings& s) {
  if (s.timeZone && !meters::isKnownTimeZone(*s.timeZone)) {
    return "time zone '" + *s.timeZone + "' is not a known IANA zone (e.g. Europe/Berlin)";
  }
  if (s.billingDay && (*s.billingDay < 1 || *s.billingDay > 31)) {
    return "billing day must be 1 to 31";
  }
  if (s.leadDays && (*s.leadDays < 0 || *s.leadDays > 365)) {
    return "order lead time must be 0 to 365 days";
  }
  if (s.locale && *s.locale != "en" && *s.locale != "de" && *s.locale != "fr" &&
      *s.locale != "it") {
    return "language must be en, de, fr or it";
  }
  return {};
}

SettingsChange updateOrganisationSettings(pqxx::transaction_base& txn, std::int64_t id,
                                          const OrganisationSettings& s) {
  if (const auto problem = settingsProblem(s); !problem.empty()) {
    throw std::invalid_argument(problem);
  }
  txn.conn().prepare("organisation_settings_select", kSelect);
  txn.conn().prepare("organisation_settings_update", kUpdate);
  const auto before = txn.exec_prepared("organisation_settings_select", id);
  if (before.empty()) {
    throw std::runtime_error("no organisation " + std::to_string(id));
  }
  txn.exec_prepared("organisation_settings_update", id, s.timeZone, s.billingDay, s.leadDays,
                    s.locale);
  const auto after = txn.exec_prepared("organisation_settings_select", id);
  return {settingsJson(before[0]), settingsJson(after[0])};
}

}  // namespace openmps::server::store
