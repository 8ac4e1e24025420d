#pragma once

// util::JsonDocument next to nlohmann's parser, the reference it must agree
// with: shared by the differential fuzz target and the unit test.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shared/util/json_fields.hpp"

namespace openmps::test {

using nlohmann::json;

// The document's tree as nlohmann builds it.
inline json toNlohmann(util::JsonValue v) {
  using util::JsonType;
  using util::JsonValue;
  switch (v.type()) {
    case JsonType::kNull: return nullptr;
    case JsonType::kBoolean: return v.boolean();
    case JsonType::kInteger: return v.integer();
    case JsonType::kUnsigned: return v.unsignedInteger();
    case JsonType::kFloat: return v.number();
    case JsonType::kString: return std::string(v.string());
    case JsonType::kArray: {
      json out = json::array();
      for (const JsonValue e : v) out.push_back(toNlohmann(e));
      return out;
    }
    case JsonType::kObject: {
      json out = json::object();
      for (const JsonValue m : v) out[std::string(m.key())] = toNlohmann(m);
      return out;
    }
  }
  return nullptr;
}

// nlohmann's strict parser with the same depth limit: the value, or nothing.
inline std::optional<json> referenceParse(std::string_view text, std::size_t maxDepth) {
  std::size_t depth = 0;
  bool tooDeep = false;
  auto limit = [&](int /*depth*/, json::parse_event_t event, json& /*parsed*/) {
    if (event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) {
      if (++depth > maxDepth) tooDeep = true;
    } else if (event == json::parse_event_t::object_end ||
               event == json::parse_event_t::array_end) {
      --depth;
    }
    return !tooDeep;
  };
  try {
    json value = json::parse(text.begin(), text.end(), limit, true, false);
    if (tooDeep) return std::nullopt;
    return value;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace openmps::test
