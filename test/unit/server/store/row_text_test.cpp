#include "server/store/row_text.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "shared/model/reading_json_value.hpp"

using nlohmann::json;
using namespace openmps;
using namespace openmps::server::store;

namespace {

const std::string kNasty = std::string("a\"b\\c\td\ne\rf\bg\fh") + '\x01' + "\xc3\xa9 end";

}  // namespace

TEST_CASE("row_text: JSON strings parse back to the same bytes", "[server][store]") {
  std::string out;
  appendJsonString(out, kNasty);
  CHECK(json::parse(out).get<std::string>() == kNasty);
  out.clear();
  appendJsonString(out, "");
  CHECK(out == "\"\"");
}

TEST_CASE("row_text: supply, status and counters JSON equal model::toJsonValue",
          "[server][store]") {
  model::Supply s;
  s.index = 3;
  s.description = kNasty;
  s.type = "toner";
  s.color = "black";
  s.level = -3;
  s.max = 100;
  s.state = model::SupplyState::kLow;
  s.unit = "percent";
  s.supplyClass = "consumed";
  s.partNumber = "X";
  s.serial = kNasty;
  std::string out;
  appendJson(out, s);
  CHECK(json::parse(out) == model::toJsonValue(s));
  s.levelPercent = 42;
  out.clear();
  appendJson(out, s);
  CHECK(json::parse(out) == model::toJsonValue(s));

  model::Status st;
  st.printerStatus = "idle";
  st.deviceStatus = "warning";
  st.errors = {"lowToner", kNasty};
  st.alerts = {{1, "warning", "marker", 1104, kNasty}, {2, "critical", "cover", 3, "open"}};
  st.vendorCode = "E1";
  out.clear();
  appendJson(out, st);
  CHECK(json::parse(out) == model::toJsonValue(st));
  out.clear();
  appendJson(out, model::Status{});
  CHECK(json::parse(out) == model::toJsonValue(model::Status{}));

  const model::Counters counters{{"total", 12}, {"custom.x\"y", 9007199254740991}};
  out.clear();
  appendJson(out, counters);
  CHECK(json::parse(out) == json{{"total", 12}, {"custom.x\"y", 9007199254740991}});
  out.clear();
  appendJson(out, model::Counters{});
  CHECK(out == "{}");
}

TEST_CASE("row_text: COPY fields escape the separators and drop NUL", "[server][store]") {
  std::string out;
  appendCopyField(out, std::string_view("a\\b\tc\nd\re\0f", 11));
  CHECK(out == "a\\\\b\\tc\\nd\\ref");
  out.clear();
  appendCopyField(out, std::int64_t{-9223372036854775807} - 1);
  CHECK(out == "-9223372036854775808");
}
