#include "server/api/device_json.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "server/store/row_text.hpp"

using nlohmann::json;
using namespace openmps;
using namespace openmps::server;
using namespace openmps::server::api;

namespace {

store::DeviceListRow storedRow() {
  store::DeviceListRow d;
  d.id = 42;
  d.serial = "SN\"1";
  d.manufacturer = "ACME";
  d.model = "Laser 9000";
  d.kind = "printer";
  d.ip = "10.0.0.5";
  d.hostName = "";
  d.location = "2nd floor\\east";
  d.customerId = 7;
  d.customerName = "Caf\xc3\xa9 Ltd";
  d.lastSeenAt = "2026-12-05T10:00:00.000Z";
  // As ingest writes them (server/store/row_text.cpp).
  model::Status status;
  status.printerStatus = "idle";
  status.deviceStatus = "running";
  status.errors = {"low toner", "door open"};
  status.alerts = {{1, "warning", "marker", 1101, "Toner low"}};
  store::appendJson(d.statusJson, status);
  store::appendJson(d.countersJson, model::Counters{{"total", 1200}, {"color", 300}});
  model::Supply toner;
  toner.index = 1;
  toner.description = "Black \"K\" toner";
  toner.type = "toner";
  toner.color = "black";
  toner.level = 40;
  toner.max = 100;
  toner.levelPercent = 40;
  toner.state = model::SupplyState::kOk;
  toner.partNumber = "TN-1";
  model::Supply drum = toner;
  drum.index = 2;
  drum.levelPercent.reset();
  d.suppliesJson = "[";
  store::appendJson(d.suppliesJson, toner);
  d.suppliesJson += ",";
  store::appendJson(d.suppliesJson, drum);
  d.suppliesJson += "]";
  return d;
}

json summaryOf(const store::DeviceListRow& d) {
  std::string out;
  appendDeviceSummary(out, d);
  return json::parse(out);
}

}  // namespace

TEST_CASE("device JSON: a stored row as the API shows it", "[server][api]") {
  const json expected = json::parse(R"({
    "id": 42, "serial": "SN\"1", "manufacturer": "ACME", "model": "Laser 9000",
    "kind": "printer", "ip": "10.0.0.5", "host_name": "", "location": "2nd floor\\east",
    "customer": {"id": 7, "name": "Caf\u00e9 Ltd"}, "site": null,
    "last_seen_at": "2026-12-05T10:00:00.000Z",
    "status": {"printer_status": "idle", "device_status": "running",
               "errors": ["low toner", "door open"]},
    "counters": {"color": 300, "total": 1200},
    "supplies": [
      {"index": 1, "description": "Black \"K\" toner", "type": "toner", "color": "black",
       "level_percent": 40, "state": "ok", "part_number": "TN-1", "serial": ""},
      {"index": 2, "description": "Black \"K\" toner", "type": "toner", "color": "black",
       "level_percent": null, "state": "ok", "part_number": "TN-1", "serial": ""}]})");
  CHECK(summaryOf(storedRow()) == expected);
}

TEST_CASE("device JSON: a device never read and one on a site", "[server][api]") {
  store::DeviceListRow d = storedRow();
  d.siteId = 9;
  d.siteName = "HQ";
  d.lastSeenAt.clear();
  d.statusJson = "{}";
  d.countersJson = "{}";
  d.suppliesJson = "[]";
  const json j = summaryOf(d);
  CHECK(j["site"] == json{{"id", 9}, {"name", "HQ"}});
  CHECK(j["last_seen_at"].is_null());
  CHECK(j["status"].is_null());
  CHECK(j["counters"] == json::object());
  CHECK(j["supplies"] == json::array());
}

TEST_CASE("device JSON: unreadable or odd stored JSON shows as unknown", "[server][api]") {
  store::DeviceListRow d = storedRow();
  d.statusJson = "{broken";
  d.countersJson = "[1, 2]";
  d.suppliesJson = "\"text\"";
  json j = summaryOf(d);
  CHECK(j["status"].is_null());
  CHECK(j["counters"] == json::object());
  CHECK(j["supplies"] == json::array());

  // Wrong types inside: left out or shown empty; duplicates: the last wins.
  d.statusJson = R"({"printer_status": 3, "errors": ["jam", 5, null]})";
  d.countersJson =
      R"({"total": 5, "total": 7, "scan": 1.5, "mono": "x", "big": 18446744073709551615})";
  d.suppliesJson = R"([3, {"index": "one", "level_percent": 12.5, "state": "low"}])";
  j = summaryOf(d);
  CHECK(j["status"] ==
        json::parse(R"({"printer_status": "", "device_status": "", "errors": ["jam"]})"));
  CHECK(j["counters"] == json::parse(R"({"total": 7, "big": 18446744073709551615})"));
  CHECK(j["supplies"] == json::parse(R"([{"index": 0, "description": "", "type": "", "color": "",
      "level_percent": null, "state": "low", "part_number": "", "serial": ""}])"));
}

TEST_CASE("device JSON: a page and its cursor", "[server][api]") {
  const auto empty = json::parse(devicePageJson({}, std::nullopt));
  CHECK(empty == json::parse(R"({"items": [], "next_after": null})"));
  const auto page = json::parse(devicePageJson({storedRow(), storedRow()}, "abc"));
  REQUIRE(page["items"].size() == 2);
  CHECK(page["items"][1] == summaryOf(storedRow()));
  CHECK(page["next_after"] == "abc");
}
