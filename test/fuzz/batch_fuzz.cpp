#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shared/envelope/batch.hpp"
#include "shared/envelope/envelope_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace openmps::envelope;
  try {
    const Batch batch = decodeBatch(std::string_view(reinterpret_cast<const char*>(data), size));
    // What decodes must encode and decode to the same batch.
    if (!(decodeBatch(encodeBatch(batch)) == batch)) __builtin_trap();
  } catch (const EnvelopeError&) {
  }
  return 0;
}
