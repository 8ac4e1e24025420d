#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/meters/calendar.hpp"

// The words, dates and numbers of reports in the reader's language (EN,
// DE, FR, IT). One table of texts (i18n.cpp); a missing key is a bug that
// the unit tests find, never a blank header.
namespace openmps::server::reports {

enum class Locale { kEn, kDe, kFr, kIt };

std::optional<Locale> parseLocale(std::string_view text);  // "en", "de", "fr", "it" (or "de-CH"...)
const char* toString(Locale locale);

// The text for `key` (e.g. "col.serial", "title.billing", "meter.total").
// Throws std::out_of_range for an unknown key.
const std::string& text(Locale locale, std::string_view key);
bool hasText(std::string_view key);
// The text for `key` if there is one, else `fallback` (device words we do
// not know: a vendor's colour name, a condition of a newer MIB).
std::string textOr(Locale locale, const std::string& key, std::string_view fallback);
// The meter's name: known counters by key, "custom.x" as "x".
std::string meterName(Locale locale, std::string_view counter);
// "{1}" ... "{4}" in the text replaced by the arguments.
std::string format(Locale locale, std::string_view key, std::initializer_list<std::string> args);

std::string formatDate(Locale locale, meters::LocalDate date);          // 30.11.2026
std::string formatDateTime(Locale locale, const meters::LocalTime& t);  // 30.11.2026 03:12
std::string formatInteger(Locale locale, std::int64_t value);           // 12.345
std::string formatDecimal(Locale locale, double value, int decimals);   // 12,5
std::string formatPercent(Locale locale, double value);                 // 45 %
// Excel number formats for dates and date-times in this locale.
const char* excelDateFormat(Locale locale);
const char* excelDateTimeFormat(Locale locale);

}  // namespace openmps::server::reports
