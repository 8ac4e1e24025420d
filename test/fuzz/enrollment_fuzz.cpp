#include <cstddef>
#include <cstdint>
#include <string>

#include "shared/envelope/enrollment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace openmps::envelope;
  try {
    const Enrollment e = decodeEnrollment(std::string(reinterpret_cast<const char*>(data), size));
    const Enrollment back = decodeEnrollment(encodeEnrollment(e));
    if (back.servers != e.servers || back.clientId != e.clientId || !(back.key == e.key))
      __builtin_trap();
  } catch (const EnrollmentError&) {
  }
  return 0;
}
