#include "server/store/device_list.hpp"

#include <catch2/catch.hpp>

using namespace openmps::server::store;

TEST_CASE("device list cursors round-trip and refuse what is not one of ours") {
  const DeviceCursor c{"Aficio MP:5\xc3\xa4", 42};
  const auto text = encodeCursor(c);
  REQUIRE(decodeCursor(text) == c);
  CHECK_FALSE(decodeCursor("not-a-cursor!"));
  CHECK_FALSE(decodeCursor(""));
  CHECK_FALSE(decodeCursor(encodeCursor({"x", 0})));
  CHECK_FALSE(decodeCursor(std::string(3000, 'A')));
}

TEST_CASE("device list sorts are a closed set with a direction") {
  CHECK(parseDeviceSort("serial") == std::pair{DeviceSort::kSerial, false});
  CHECK(parseDeviceSort("-last_seen") == std::pair{DeviceSort::kLastSeen, true});
  CHECK_FALSE(parseDeviceSort("password"));
  CHECK_FALSE(parseDeviceSort("--serial"));
  CHECK(deviceListStatementName(DeviceSort::kModel, true) == "devices_list_model_desc");
  const auto sql = deviceListSql(DeviceSort::kCustomer, true);
  CHECK(sql.find("ORDER BY sort_key DESC, d.id DESC") != std::string::npos);
  CHECK(sql.find(") < ($8::text, $9::bigint)") != std::string::npos);
  CHECK(sql.find("($13::text = '' OR d.kind = $13)") != std::string::npos);
  // The kind lets PostgreSQL walk customers by name instead of sorting all.
  CHECK(sql.find("c.kind = 'customer'") != std::string::npos);
  CHECK(deviceListSql(DeviceSort::kSerial, false).find("c.kind") == std::string::npos);
}

TEST_CASE("sorted by last seen, a page walks device_latest's typed key and id") {
  const auto sql = deviceListSql(DeviceSort::kLastSeen, false);
  CHECK(sql.find("FROM device_latest l JOIN devices d ON d.id = l.device_id") != std::string::npos);
  CHECK(sql.find("(l.last_seen_at, l.device_id) > ($8::text::timestamp AT TIME ZONE 'UTC', "
                 "$9::bigint)") != std::string::npos);
  CHECK(sql.find("ORDER BY l.last_seen_at, l.device_id LIMIT $10") != std::string::npos);
  const auto desc = deviceListSql(DeviceSort::kLastSeen, true);
  CHECK(desc.find("ORDER BY l.last_seen_at DESC, l.device_id DESC") != std::string::npos);
  CHECK(desc.find("(l.last_seen_at, l.device_id) < (") != std::string::npos);
  // Every other sort keeps the devices in front and its text key.
  CHECK(deviceListSql(DeviceSort::kSerial, false).find("LEFT JOIN device_latest l") !=
        std::string::npos);
}

TEST_CASE("sorted by last seen, the list names the caller's own tenant for its index") {
  DeviceListQuery q;
  q.callerDealerId = 2;
  q.callerCustomerId = 20;
  CHECK(tenantFilter(q) == TenantFilter{0, 0});  // other sorts: row-level security alone
  q.customerId = 21;
  CHECK(tenantFilter(q) == TenantFilter{21, 0});
  q.sort = DeviceSort::kLastSeen;
  CHECK(tenantFilter(q) == TenantFilter{21, 2});  // a filter asked for wins
  q.customerId = 0;
  q.dealerId = 3;
  CHECK(tenantFilter(q) == TenantFilter{20, 3});
  DeviceListQuery operatorQuery;
  operatorQuery.sort = DeviceSort::kLastSeen;
  CHECK(tenantFilter(operatorQuery) == TenantFilter{0, 0});
  const auto sql = deviceListSql(DeviceSort::kLastSeen, false);
  CHECK(sql.find("($1::bigint = 0 OR l.customer_id = $1)") != std::string::npos);
  CHECK(sql.find("($14::bigint = 0 OR l.dealer_id = $14)") != std::string::npos);
  CHECK(deviceListSql(DeviceSort::kSerial, false).find("l.dealer_id") == std::string::npos);
}

TEST_CASE("a last_seen cursor must carry a timestamp PostgreSQL can read back") {
  const DeviceCursor good{"2026-12-05T18:40:04.123456", 7};
  CHECK(cursorFitsSort(good, DeviceSort::kLastSeen));
  CHECK(cursorFitsSort({"Aficio", 7}, DeviceSort::kModel));
  CHECK_FALSE(cursorFitsSort({"Aficio", 7}, DeviceSort::kLastSeen));
  CHECK_FALSE(cursorFitsSort({"2026-13-05T18:40:04.123456", 7}, DeviceSort::kLastSeen));
  CHECK_FALSE(cursorFitsSort({"2026-12-05T18:40:04.12345x", 7}, DeviceSort::kLastSeen));
  CHECK_FALSE(cursorFitsSort({"2026-12-05T18:40:04.123456Z", 7}, DeviceSort::kLastSeen));
  CHECK_FALSE(cursorFitsSort({"2026-12-05T18:40:04+01:00:00", 7}, DeviceSort::kLastSeen));
}

TEST_CASE("device search takes LIKE's special characters literally") {
  CHECK(likePattern("ACM") == "%ACM%");
  CHECK(likePattern("50%_a\\b") == "%50\\%\\_a\\\\b%");
}

TEST_CASE("device filters parse their words and nothing else") {
  CHECK(parseDeviceCondition("") == DeviceCondition::kAny);
  CHECK(parseDeviceCondition("error") == DeviceCondition::kError);
  CHECK_FALSE(parseDeviceCondition("broken"));
  CHECK(parseSupplyFilter("order") == SupplyFilter::kOrder);
  CHECK_FALSE(parseSupplyFilter("high"));
  CHECK(parseReportingFilter("silent") == ReportingFilter::kSilent);
  CHECK_FALSE(parseReportingFilter("loud"));
  CHECK(parseKindFilter("") == KindFilter::kAny);
  CHECK(parseKindFilter("scanner") == KindFilter::kScanner);
  CHECK(toString(KindFilter::kPrinter) == "printer");
  CHECK(toString(KindFilter::kAny).empty());
  CHECK_FALSE(parseKindFilter("other"));
  CHECK_FALSE(parseKindFilter("Printer"));
}
