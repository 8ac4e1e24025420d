#include "server/reports/i18n.hpp"

#include <catch2/catch.hpp>

using namespace openmps::server::reports;

TEST_CASE("texts exist in all four languages", "[server][reports]") {
  for (const char* key :
       {"title.billing", "col.serial", "col.start-reading", "note.counter-restarted", "word.page",
        "forecast.not_enough_data", "usage.over", "error.jammed"}) {
    for (const Locale l : {Locale::kEn, Locale::kDe, Locale::kFr, Locale::kIt}) {
      CHECK_FALSE(text(l, key).empty());
    }
  }
  CHECK(text(Locale::kDe, "col.serial") == "Seriennummer");
  CHECK(text(Locale::kIt, "col.customer") == "Cliente");
  CHECK_THROWS_AS(text(Locale::kEn, "col.nothing"), std::out_of_range);
  CHECK(textOr(Locale::kDe, "color.teal", "teal") == "teal");
  CHECK(format(Locale::kFr, "word.page", {"2", "9"}) == "Page 2 sur 9");
}

TEST_CASE("meter names come from the counter vocabulary", "[server][reports]") {
  CHECK(meterName(Locale::kEn, "total") == "Total");
  CHECK(meterName(Locale::kDe, "mono") == "Schwarzweiß");
  CHECK(meterName(Locale::kFr, "copy.color") == "Copie Couleur");
  CHECK(meterName(Locale::kIt, "large.total") == "Grande formato");
  CHECK(meterName(Locale::kEn, "custom.a3_pages") == "a3_pages");
}

TEST_CASE("numbers and dates in the reader's form", "[server][reports]") {
  CHECK(formatInteger(Locale::kEn, 1234567) == "1,234,567");
  CHECK(formatInteger(Locale::kDe, 1234567) == "1.234.567");
  CHECK(formatInteger(Locale::kFr, -1234) == "-1\u202f234");
  CHECK(formatInteger(Locale::kIt, 999) == "999");
  CHECK(formatDecimal(Locale::kDe, 12.345, 1) == "12,3");
  CHECK(formatDecimal(Locale::kEn, -0.25, 1) == "-0.3");
  CHECK(formatPercent(Locale::kEn, 45.4) == "45%");
  CHECK(formatPercent(Locale::kDe, 45.6) == "46\u00a0%");
  const openmps::server::meters::LocalDate d{2026, 3, 9};
  CHECK(formatDate(Locale::kEn, d) == "2026-03-09");
  CHECK(formatDate(Locale::kDe, d) == "09.03.2026");
  CHECK(formatDate(Locale::kFr, d) == "09/03/2026");
  CHECK(formatDateTime(Locale::kIt, {d, 7, 5, 0}) == "09/03/2026 07:05");
  CHECK(parseLocale("de-CH") == Locale::kDe);
  CHECK(parseLocale("es") == std::nullopt);
  CHECK(parseLocale("dex") == std::nullopt);
}
