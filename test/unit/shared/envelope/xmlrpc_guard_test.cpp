#include "shared/envelope/xmlrpc_guard.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/xmlrpc_call.hpp"

using namespace openmps::envelope;

namespace {
std::string responseWith(const std::string& value) {
  return "<?xml version=\"1.0\"?><methodResponse><params><param><value>" + value +
         "</value></param></params></methodResponse>";
}
std::string callWith(const std::string& value) {
  return "<?xml version=\"1.0\"?><methodCall><methodName>mps.submit</methodName><params><param>"
         "<value>" +
         value + "</value></param></params></methodCall>";
}
}  // namespace

// Each of these crashed xmlrpc-c 1.33 inside its own error path (found by
// fuzz_submit_response); they must be refused before xmlrpc-c sees them.
TEST_CASE("malformed i8 values never reach xmlrpc-c", "[xmlrpc]") {
  for (const char* bad : {"<i8>1x</i8>", "<i8>x</i8>", "<i8>-</i8>", "<i8>1 </i8>",
                          "<i8>1&#120;</i8>", "<i8><![CDATA[1x]]></i8>", "<ex:i8>1x</ex:i8>",
                          "<i8 >1x</i8>", "<i8>99999999999999999999</i8>", "<i8>12"}) {
    INFO(bad);
    CHECK_THROWS_MATCHES(decodeSubmitResponse(responseWith(bad)), EnvelopeError,
                         Catch::Predicate<EnvelopeError>([](const EnvelopeError& e) {
                           return e.kind() == EnvelopeErrorKind::kBadCall;
                         }));
    CHECK_THROWS_AS(decodeSubmitCall(callWith(bad)), EnvelopeError);
    CHECK_THROWS_AS(rejectUnsafeXmlRpc(responseWith(bad)), EnvelopeError);
  }
}

TEST_CASE("well-formed i8 values pass the guard", "[xmlrpc]") {
  for (const char* good : {"<i8>42</i8>", "<i8> -7</i8>", "<i8>+9</i8>", "<i8></i8>", "<i8/>",
                           "<ex:i8>123456789012345678</ex:i8>", "<int>1x</int>", "<i88>x</i88>"}) {
    INFO(good);
    CHECK_NOTHROW(rejectUnsafeXmlRpc(responseWith(good)));
  }
}
