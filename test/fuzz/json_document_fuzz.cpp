#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "json_reference.hpp"
#include "shared/util/json_fields.hpp"

// Differential: util::JsonDocument must accept exactly what nlohmann's
// strict parser accepts and build the same tree (shared/util/json_fields.hpp).

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace openmps::util;
  using openmps::test::json;
  using openmps::test::referenceParse;
  using openmps::test::toNlohmann;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // nlohmann ends a document at a NUL byte; JsonDocument refuses it (tested).
  if (text.find('\0') != std::string_view::npos) return 0;
  const std::optional<json> expected = referenceParse(text, 64);
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
