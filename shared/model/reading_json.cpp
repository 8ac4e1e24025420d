#include "shared/model/reading_json.hpp"

#include <algorithm>

#include "shared/model/counter_names.hpp"
#include "shared/model/reading_json_value.hpp"
#include "shared/util/json_fields.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::model {
namespace {

using nlohmann::json;
using util::JsonFieldError;
using util::JsonFields;
using util::JsonPath;
using util::JsonValue;

constexpr std::int64_t kRawMin = INT32_MIN;
constexpr std::int64_t kRawMax = INT64_MAX;

template <typename T>
json optionalValue(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

std::vector<std::string> stringList(const JsonFields& obj, std::string_view key) {
  std::vector<std::string> out;
  const auto arr = obj.optionalArray(key, kMaxListItems);
  if (!arr) return out;
  const JsonPath path(obj.path(), key);
  out.reserve(arr->size());
  std::size_t i = 0;
  for (const JsonValue v : *arr) {
    out.push_back(util::stringAt(v, JsonPath(path, i++), kMaxTextLength));
  }
  return out;
}

DeviceIdentity identityFrom(const JsonFields& o) {
  DeviceIdentity id;
  id.manufacturer = o.optionalString("manufacturer", kMaxTextLength);
  id.model = o.optionalString("model", kMaxTextLength);
  id.serial = o.optionalString("serial", kMaxTextLength);
  id.firmware = o.optionalString("firmware", kMaxTextLength);
  id.mac = o.optionalString("mac", kMaxTextLength);
  id.hostName = o.optionalString("host_name", kMaxTextLength);
  id.ip = o.optionalString("ip", kMaxTextLength);
  id.location = o.optionalString("location", kMaxTextLength);
  id.contact = o.optionalString("contact", kMaxTextLength);
  id.sysObjectId = o.optionalString("sys_object_id", kMaxTextLength);
  id.sysDescr = o.optionalString("sys_descr", kMaxTextLength);
  if (const auto kind = o.optionalString("kind", kMaxTextLength); !kind.empty()) {
    if (kind != "printer" && kind != "scanner") {
      throw util::JsonFieldError(o.path().child("kind"),
                                 "expected printer or scanner, got '" + kind.substr(0, 40) + "'");
    }
    id.kind = kind;
  }
  return id;
}

Supply supplyFrom(const JsonFields& o) {
  Supply s;
  s.index = static_cast<int>(o.optionalInt("index", 0, INT32_MAX).value_or(0));
  s.description = o.optionalString("description", kMaxTextLength);
  s.type = o.optionalString("type", kMaxTextLength);
  s.color = o.optionalString("color", kMaxTextLength);
  s.level = o.requireInt("level", kRawMin, kRawMax);
  s.max = o.requireInt("max", kRawMin, kRawMax);
  if (auto p = o.optionalInt("level_percent", 0, 100)) s.levelPercent = static_cast<int>(*p);
  const std::string state = o.requireString("state", 32);
  const auto parsed = supplyStateFromString(state);
  if (!parsed) {
    throw JsonFieldError(o.path().child("state"), "unknown supply state '" + state + "'");
  }
  s.state = *parsed;
  s.unit = o.optionalString("unit", kMaxTextLength);
  s.supplyClass = o.optionalString("class", kMaxTextLength);
  s.partNumber = o.optionalString("part_number", kMaxTextLength);
  s.serial = o.optionalString("serial", kMaxTextLength);
  return s;
}

Status statusFrom(const JsonFields& o) {
  Status st;
  st.printerStatus = o.optionalString("printer_status", kMaxTextLength);
  st.deviceStatus = o.optionalString("device_status", kMaxTextLength);
  st.errors = stringList(o, "errors");
  st.vendorCode = o.optionalString("vendor_code", kMaxTextLength);
  if (const auto alerts = o.optionalArray("alerts", kMaxAlerts)) {
    const JsonPath alertsPath(o.path(), "alerts");
    std::size_t i = 0;
    for (const JsonValue v : *alerts) {
      const JsonPath path(alertsPath, i++);
      const JsonFields a(v, path);
      AlertEntry e;
      e.index = static_cast<int>(a.optionalInt("index", 0, INT32_MAX).value_or(0));
      e.severity = a.optionalString("severity", kMaxTextLength);
      e.group = a.optionalString("group", kMaxTextLength);
      e.code = static_cast<int>(a.optionalInt("code", INT32_MIN, INT32_MAX).value_or(0));
      e.text = a.optionalString("text", kMaxTextLength);
      st.alerts.push_back(std::move(e));
    }
  }
  return st;
}

Capabilities capabilitiesFrom(const JsonFields& o) {
  Capabilities c;
  c.color = o.optionalBool("color");
  c.duplex = o.optionalBool("duplex");
  c.largeFormat = o.optionalBool("large_format");
  if (auto n = o.optionalInt("input_trays", 0, 1000)) c.inputTrays = static_cast<int>(*n);
  if (auto n = o.optionalInt("output_trays", 0, 1000)) c.outputTrays = static_cast<int>(*n);
  c.finishers = stringList(o, "finishers");
  return c;
}

// The counters object's members as a map would hold them: sorted by name,
// the last of duplicate names winning (what nlohmann's parse did).
void countersFrom(JsonValue obj, const JsonPath& path, Counters& out) {
  std::vector<JsonValue> members(obj.begin(), obj.end());
  std::stable_sort(members.begin(), members.end(),
                   [](const JsonValue& a, const JsonValue& b) { return a.key() < b.key(); });
  std::vector<JsonValue> unique;
  unique.reserve(members.size());
  for (const JsonValue& m : members) {
    if (!unique.empty() && unique.back().key() == m.key()) {
      unique.back() = m;
    } else {
      unique.push_back(m);
    }
  }
  if (unique.size() > kMaxCounters) {
    throw JsonFieldError(path.str(), "more than " + std::to_string(kMaxCounters) + " counters");
  }
  for (const JsonValue& m : unique) {
    const JsonPath fieldPath(path, m.key());
    if (const auto problem = counterNameProblem(m.key()); !problem.empty()) {
      throw JsonFieldError(fieldPath.str(), problem);
    }
    out.emplace_hint(out.end(), std::string(m.key()),
                     util::intAt(m, fieldPath, 0, kMaxCounterValue));
  }
}

}  // namespace

json toJsonValue(const DeviceIdentity& id) {
  return json{{"manufacturer", id.manufacturer},
              {"model", id.model},
              {"serial", id.serial},
              {"firmware", id.firmware},
              {"mac", id.mac},
              {"host_name", id.hostName},
              {"ip", id.ip},
              {"location", id.location},
              {"contact", id.contact},
              {"sys_object_id", id.sysObjectId},
              {"sys_descr", id.sysDescr},
              {"kind", id.kind}};
}

json toJsonValue(const Supply& s) {
  return json{{"index", s.index},
              {"description", s.description},
              {"type", s.type},
              {"color", s.color},
              {"level", s.level},
              {"max", s.max},
              {"level_percent", optionalValue(s.levelPercent)},
              {"state", toString(s.state)},
              {"unit", s.unit},
              {"class", s.supplyClass},
              {"part_number", s.partNumber},
              {"serial", s.serial}};
}

json toJsonValue(const Status& st) {
  json alerts = json::array();
  for (const auto& a : st.alerts) {
    alerts.push_back(json{{"index", a.index},
                          {"severity", a.severity},
                          {"group", a.group},
                          {"code", a.code},
                          {"text", a.text}});
  }
  return json{{"printer_status", st.printerStatus},
              {"device_status", st.deviceStatus},
              {"errors", st.errors},
              {"alerts", std::move(alerts)},
              {"vendor_code", st.vendorCode}};
}

json toJsonValue(const Capabilities& c) {
  return json{{"color", optionalValue(c.color)},
              {"duplex", optionalValue(c.duplex)},
              {"large_format", optionalValue(c.largeFormat)},
              {"input_trays", optionalValue(c.inputTrays)},
              {"output_trays", optionalValue(c.outputTrays)},
              {"finishers", c.finishers}};
}

json toJsonValue(const Reading& r) {
  json supplies = json::array();
  for (const auto& s : r.supplies) supplies.push_back(toJsonValue(s));
  json counters = json::object();
  for (const auto& [name, value] : r.counters) counters[name] = value;
  return json{{"kind", toString(r.kind)},
              {"read_at", util::formatRfc3339(r.readAt)},
              {"origin", json{{"client_id", r.origin.clientId},
                              {"address", r.origin.address},
                              {"pmd", r.origin.pmd}}},
              {"identity", toJsonValue(r.identity)},
              {"counters", std::move(counters)},
              {"supplies", std::move(supplies)},
              {"status", toJsonValue(r.status)},
              {"capabilities", toJsonValue(r.capabilities)},
              {"notes", r.notes}};
}

Reading readingFromJsonValue(util::JsonValue value, const util::JsonPath& path) {
  const JsonFields o(value, path);
  Reading r;
  const std::string kind = o.requireString("kind", 16);
  const auto parsedKind = readingKindFromString(kind);
  if (!parsedKind) {
    throw JsonFieldError(path.child("kind"), "unknown kind '" + kind + "' (meter or status)");
  }
  r.kind = *parsedKind;
  const std::string readAt = o.requireString("read_at", 64);
  const auto t = util::parseRfc3339(readAt);
  if (!t) throw JsonFieldError(path.child("read_at"), "not an RFC 3339 time: '" + readAt + "'");
  // Milliseconds, as readingToJson writes them (finer digits dropped).
  r.readAt = std::chrono::floor<std::chrono::milliseconds>(*t);
  if (const auto originValue = o.optionalObject("origin")) {
    const JsonPath originPath(path, "origin");
    const JsonFields origin(*originValue, originPath);
    r.origin.clientId = origin.optionalString("client_id", kMaxTextLength);
    r.origin.address = origin.optionalString("address", kMaxTextLength);
    r.origin.pmd = origin.optionalString("pmd", kMaxTextLength);
  }
  {
    const JsonValue identity = o.requireObject("identity");
    const JsonPath identityPath(path, "identity");
    r.identity = identityFrom(JsonFields(identity, identityPath));
  }
  if (const auto counters = o.optionalObject("counters")) {
    const JsonPath countersPath(path, "counters");
    const JsonFields checked(*counters, countersPath);
    countersFrom(*counters, countersPath, r.counters);
  }
  if (const auto supplies = o.optionalArray("supplies", kMaxSupplies)) {
    const JsonPath suppliesPath(path, "supplies");
    r.supplies.reserve(supplies->size());
    std::size_t i = 0;
    for (const JsonValue v : *supplies) {
      const JsonPath supplyPath(suppliesPath, i++);
      r.supplies.push_back(supplyFrom(JsonFields(v, supplyPath)));
    }
  }
  if (const auto status = o.optionalObject("status")) {
    const JsonPath statusPath(path, "status");
    r.status = statusFrom(JsonFields(*status, statusPath));
  }
  if (const auto caps = o.optionalObject("capabilities")) {
    const JsonPath capsPath(path, "capabilities");
    r.capabilities = capabilitiesFrom(JsonFields(*caps, capsPath));
  }
  r.notes = stringList(o, "notes");
  return r;
}

std::string readingToJson(const Reading& reading, int indent) {
  return toJsonValue(reading).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

Reading readingFromJson(std::string_view text) {
  const util::JsonDocument doc(text, "reading");
  return readingFromJsonValue(doc.root(), util::JsonPath());
}

}  // namespace openmps::model
