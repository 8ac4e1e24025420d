#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace openmps::util;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // nlohmann ends a document at a NUL byte; JsonDocument refuses it (tested).
  if (text.find('\0') != std::string_view::npos) return 0;
  std::optional<json> expected;
  try {
    expected = parseJson(text, "ref", 64);
  } catch (const JsonFieldError&) {
  }
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
