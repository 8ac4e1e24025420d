#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shared/util/json_fields.hpp"

// Differential: util::JsonDocument must accept exactly what nlohmann's
// strict parser accepts and build the same tree (shared/util/json_fields.hpp).
namespace {

using nlohmann::json;
using openmps::util::JsonType;
using openmps::util::JsonValue;

json toNlohmann(JsonValue v) {
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

// nlohmann's strict parser with the same depth limit: the reference.
std::optional<json> reference(std::string_view text, std::size_t maxDepth) {
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace openmps::util;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // nlohmann ends a document at a NUL byte; JsonDocument refuses it (tested).
  if (text.find('\0') != std::string_view::npos) return 0;
  const std::optional<json> expected = reference(text, 64);
  std::optional<json> got;
  try {
    const JsonDocument doc(text, "doc", 64);
    got = toNlohmann(doc.root());
  } catch (const JsonFieldError&) {
  }
  if (got.has_value() != expected.has_value()) __builtin_trap();
  if (got && got->dump() != expected->dump()) __builtin_trap();
  return 0;
}
