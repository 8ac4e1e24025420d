#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

// The texts of notifications in English, German, French and Italian,
// chosen per recipient. Pure: facts in, subject and body out. Conditions,
// stages and events are the alert engine's names (server/README.md,
// "Alerts"); an unknown one falls back to its name, never to nothing.
namespace openmps::server::notify {

bool supportedLocale(std::string_view locale);
// A supported locale: itself; anything else: "en".
std::string localeOrDefault(std::string_view locale);

struct MailText {
  std::string subject;
  std::string body;
};

// What a text says about one alert. Times are already formatted in the
// customer's time zone.
struct AlertFacts {
  std::int64_t id = 0;
  std::string condition;  // toner, jam, device_silent, ...
  std::string stage;      // low, very_low, empty (supplies); else empty
  std::string event;      // raised, worse, repeat, escalated, cleared
  std::string severity;   // info, warning, critical
  std::string customer;
  std::string deviceModel;
  std::string deviceSerial;
  std::string deviceLocation;
  std::string deviceAddress;
  std::string since;  // when the condition began
  // Values the condition's title names: supply, level, code, text,
  // counter, date, address.
  std::map<std::string, std::string> values;
};

// One line naming the condition: "Black toner low (18 %)".
std::string alertTitle(std::string_view locale, const AlertFacts& facts);

MailText alertMail(std::string_view locale, const AlertFacts& facts);

// Alerts held back (quiet hours, or a storm of one kind) and sent together.
// reason: quiet_hours or storm.
MailText digestMail(std::string_view locale, std::string_view reason,
                    const std::vector<AlertFacts>& alerts);

// `alert test-notify`: proves the way out works.
MailText testMail(std::string_view locale, std::string_view organisation, std::string_view when);

}  // namespace openmps::server::notify
