#include "server/store/latest_json.hpp"

#include "shared/util/json_fields.hpp"

namespace openmps::server::store {
namespace {

using util::JsonType;
using util::JsonValue;

std::string text(const JsonValue& object, std::string_view key) {
  const auto v = object.find(key);
  return v && v->isString() ? std::string(v->string()) : std::string();
}

std::optional<std::int64_t> number(const JsonValue& object, std::string_view key) {
  const auto v = object.find(key);
  if (!v) return std::nullopt;
  if (v->type() == JsonType::kInteger) return v->integer();
  if (v->type() == JsonType::kUnsigned) return static_cast<std::int64_t>(v->unsignedInteger());
  return std::nullopt;
}

model::Supply supplyFrom(const JsonValue& v) {
  model::Supply s;
  s.index = static_cast<int>(number(v, "index").value_or(0));
  s.description = text(v, "description");
  s.type = text(v, "type");
  s.color = text(v, "color");
  s.level = number(v, "level").value_or(0);
  s.max = number(v, "max").value_or(0);
  if (const auto p = number(v, "level_percent"); p && *p >= 0 && *p <= 100) {
    s.levelPercent = static_cast<int>(*p);
  }
  s.state = model::supplyStateFromString(text(v, "state")).value_or(model::SupplyState::kUnknown);
  s.unit = text(v, "unit");
  s.supplyClass = text(v, "class");
  s.partNumber = text(v, "part_number");
  s.serial = text(v, "serial");
  return s;
}

}  // namespace

model::Counters countersFromLatest(std::string_view json) {
  model::Counters out;
  try {
    const util::JsonDocument doc(json, "stored counters");
    if (!doc.root().isObject()) return out;
    for (const JsonValue member : doc.root()) {
      if (member.type() == JsonType::kInteger) {
        out[std::string(member.key())] = member.integer();
      } else if (member.type() == JsonType::kUnsigned) {
        out[std::string(member.key())] = static_cast<std::int64_t>(member.unsignedInteger());
      }
    }
  } catch (const util::JsonFieldError&) {
    // Unreadable: no previous counters, nothing flagged.
  }
  return out;
}

std::vector<model::Supply> suppliesFromLatest(std::string_view json) {
  std::vector<model::Supply> out;
  try {
    const util::JsonDocument doc(json, "stored supplies");
    if (!doc.root().isArray()) return out;
    for (const JsonValue v : doc.root()) {
      if (v.isObject()) out.push_back(supplyFrom(v));
    }
  } catch (const util::JsonFieldError&) {
    out.clear();
  }
  return out;
}

std::vector<events::SupplyLevel> levelsFromLatest(std::string_view json) {
  std::vector<events::SupplyLevel> out;
  try {
    const util::JsonDocument doc(json, "stored supplies");
    if (!doc.root().isArray()) return out;
    for (const JsonValue v : doc.root()) {
      if (!v.isObject()) continue;
      const auto type = v.find("type");
      if (type && type->isString() && events::isTray(type->string())) continue;
      events::SupplyLevel l;
      l.index = static_cast<int>(number(v, "index").value_or(0));
      if (const auto p = number(v, "level_percent"); p && *p >= 0 && *p <= 100) {
        l.percent = static_cast<int>(*p);
      }
      if (const auto state = v.find("state"); state && state->isString()) {
        l.state =
            model::supplyStateFromString(state->string()).value_or(model::SupplyState::kUnknown);
      }
      if (const auto serial = v.find("serial"); serial && serial->isString()) {
        l.serial = std::string(serial->string());
      }
      out.push_back(std::move(l));
    }
  } catch (const util::JsonFieldError&) {
    out.clear();
  }
  return out;
}

model::Status statusFromLatest(std::string_view json) {
  model::Status out;
  try {
    const util::JsonDocument doc(json, "stored status");
    const JsonValue root = doc.root();
    if (!root.isObject()) return out;
    out.printerStatus = text(root, "printer_status");
    out.deviceStatus = text(root, "device_status");
    out.vendorCode = text(root, "vendor_code");
    if (const auto errors = root.find("errors"); errors && errors->isArray()) {
      for (const JsonValue e : *errors) {
        if (e.isString()) out.errors.emplace_back(e.string());
      }
    }
    if (const auto alerts = root.find("alerts"); alerts && alerts->isArray()) {
      for (const JsonValue a : *alerts) {
        if (!a.isObject()) continue;
        model::AlertEntry entry;
        entry.index = static_cast<int>(number(a, "index").value_or(0));
        entry.severity = text(a, "severity");
        entry.group = text(a, "group");
        entry.code = static_cast<int>(number(a, "code").value_or(0));
        entry.text = text(a, "text");
        out.alerts.push_back(std::move(entry));
      }
    }
  } catch (const util::JsonFieldError&) {
    return {};
  }
  return out;
}

}  // namespace openmps::server::store
