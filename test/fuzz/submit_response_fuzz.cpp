#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/xmlrpc_call.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace openmps::envelope;
  try {
    (void)decodeSubmitResponse(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const EnvelopeError&) {
  }
  return 0;
}
