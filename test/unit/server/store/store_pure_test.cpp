#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "server/store/fleet.hpp"
#include "server/store/migrations.hpp"
#include "server/store/pg_array.hpp"
#include "shared/util/time_format.hpp"

using namespace openmps::server::store;

TEST_CASE("array literals quote and escape every element", "[server][store]") {
  PgArray a;
  a.add("plain");
  a.add(std::string_view("with \"quotes\" and \\ backslash, comma {braces}"));
  a.add(std::int64_t{-42});
  a.addNull();
  a.add(std::optional<int>{});
  a.add(std::optional<int>{7});
  a.add(std::string_view("nul\0inside", 10));
  CHECK(
      a.str() ==
      R"({"plain","with \"quotes\" and \\ backslash, comma {braces}",-42,NULL,NULL,7,"nulinside"})");
  CHECK(a.size() == 7);
  CHECK(PgArray().str() == "{}");
}

TEST_CASE("embedded migrations are in order and non-empty", "[server][store]") {
  const auto migrations = embeddedMigrations();
  REQUIRE_FALSE(migrations.empty());
  CHECK(std::string(migrations[0].name) == "0001_initial");
  CHECK_NOTHROW(checkMigrationOrder(migrations));
  for (const auto& m : migrations) {
    // Every migration changes the schema (CREATE, ALTER, ...), none is empty.
    const std::string sql(m.sql);
    CHECK((sql.find("CREATE ") != std::string::npos || sql.find("ALTER ") != std::string::npos));
  }
  const Migration bad[] = {{"0002_b", "x"}, {"0001_a", "y"}};
  CHECK_THROWS_WITH(checkMigrationOrder(bad), Catch::Contains("out of order"));
  const Migration badName[] = {{"1_a", "x"}};
  CHECK_THROWS(checkMigrationOrder(badName));
}

TEST_CASE("fleet JSON is the shared form plus a device object", "[server][store]") {
  Fleet fleet;
  fleet.scope = FleetScope{"customer", "Acme", 7};
  fleet.generatedAt = *openmps::util::parseRfc3339("2026-11-22T10:00:00Z");
  FleetDevice d;
  d.id = 3;
  d.customer = "Acme";
  d.dealer = "Dealer";
  d.collectorId = 99;
  d.firstSeenAt = *openmps::util::parseRfc3339("2026-11-20T10:00:00Z");
  d.lastSeenAt = *openmps::util::parseRfc3339("2026-11-22T09:00:00Z");
  d.countersAt = d.lastSeenAt;
  d.identity.serial = "S1";
  d.identity.model = "M";
  d.countersJson = R"({"total": 5})";
  d.suppliesJson = "not json";
  fleet.devices.push_back(d);
  const auto doc = nlohmann::json::parse(fleetToJson(fleet));
  CHECK(doc["format"] == 1);
  CHECK(doc["count"] == 1);
  CHECK(doc["scope"] == nlohmann::json{{"kind", "customer"}, {"name", "Acme"}});
  const auto& dev = doc["devices"][0];
  CHECK(dev["identity"]["serial"] == "S1");
  CHECK(dev["counters"] == nlohmann::json{{"total", 5}});
  CHECK(dev["supplies"] == nlohmann::json::array());  // damaged row: empty, not a crash
  CHECK(dev["status"]["errors"] == nlohmann::json::array());
  CHECK(dev["read_at"] == "2026-11-22T09:00:00.000Z");
  CHECK(dev["origin"]["client_id"] == "99");
  CHECK(dev["device"]["id"] == 3);
  CHECK(dev["device"]["status_at"].is_null());
  const auto text = fleetToText(fleet);
  CHECK_THAT(text, Catch::Contains("S1") && Catch::Contains("1 device(s)"));
}

TEST_CASE("fleet table shows a scanner's scan count as its total") {
  Fleet fleet;
  FleetDevice printer;
  printer.identity.serial = "P1";
  printer.countersJson = R"({"total": 1234, "scan.total": 7})";
  FleetDevice scanner;
  scanner.identity.serial = "S2";
  scanner.countersJson = R"({"scan.total": 5678})";
  FleetDevice unread;
  unread.identity.serial = "U3";
  unread.countersJson = "{}";
  fleet.devices = {printer, scanner, unread};
  const auto text = fleetToText(fleet);
  CHECK_THAT(text, Catch::Contains("1234") && !Catch::Contains(" 7 "));
  CHECK_THAT(text, Catch::Contains("5678"));
  CHECK_THAT(text, Catch::Contains("U3") && Catch::Contains("3 device(s)"));
}
