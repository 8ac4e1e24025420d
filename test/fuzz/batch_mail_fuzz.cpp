// A mailbox holds anything: every byte string must end in a MailError or a
// batch mail whose envelope bytes are within the limit, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/mailbox/batch_mail.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace openmps::server::mailbox;
  MailLimits limits;
  limits.maxMessageBytes = 1u << 20;
  limits.maxEnvelopeBytes = 1u << 19;
  try {
    const BatchMail mail =
        parseBatchMail(std::string_view(reinterpret_cast<const char*>(data), size), limits);
    if (mail.sealed.size() > limits.maxEnvelopeBytes) __builtin_trap();
  } catch (const MailError&) {
  }
  return 0;
}
