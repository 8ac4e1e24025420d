// Opens arbitrary bytes as an envelope under a fixed key: every input must
// end in an EnvelopeError or a valid batch, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/seal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace openmps::envelope;
  static const ClientKey key = [] {
    std::array<unsigned char, Key::kSize> bytes{};
    bytes.fill(0x11);  // the key the seed corpus is sealed with
    return ClientKey(bytes);
  }();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  EnvelopeLimits limits;
  limits.maxOpenedBytes = 1u << 20;
  try {
    (void)peekHeader(input, limits);
    (void)openEnvelope(input, key, limits);
  } catch (const EnvelopeError&) {
  }
  return 0;
}
