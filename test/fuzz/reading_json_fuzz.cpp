#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shared/model/reading_json.hpp"
#include "shared/util/json_fields.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace openmps;
  try {
    const model::Reading r =
        model::readingFromJson(std::string_view(reinterpret_cast<const char*>(data), size));
    (void)model::readingToJson(r);
  } catch (const util::JsonFieldError&) {
  }
  return 0;
}
