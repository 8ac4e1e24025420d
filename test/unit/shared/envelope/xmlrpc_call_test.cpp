#include "shared/envelope/xmlrpc_call.hpp"

#include <set>

#include <catch2/catch.hpp>

#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/fault_codes.hpp"
#include "shared/envelope/seal.hpp"
#include "unit/shared/envelope/envelope_test_support.hpp"

using namespace openmps::envelope;

namespace {

EnvelopeErrorKind callKind(const std::string& xml) {
  try {
    (void)decodeSubmitCall(xml);
  } catch (const EnvelopeError& e) {
    INFO(e.what());
    return e.kind();
  }
  FAIL("accepted: " << xml.substr(0, 200));
  return EnvelopeErrorKind::kGarbage;
}

std::string call(const std::string& method, const std::string& params) {
  return "<?xml version=\"1.0\"?><methodCall><methodName>" + method + "</methodName><params>" +
         params + "</params></methodCall>";
}

}  // namespace

TEST_CASE("mps.submit carries the envelope bytes unchanged", "[xmlrpc]") {
  const std::string sealed = sealBatch(test::sampleBatch(), test::keyFilledWith(1));
  const std::string xml = encodeSubmitCall(sealed);
  CHECK(xml.find("<methodName>mps.submit</methodName>") != std::string::npos);
  CHECK(decodeSubmitCall(xml) == sealed);
}

TEST_CASE("calls of 600 KB pass xmlrpc-c's default 512 KB limit", "[xmlrpc]") {
  const std::string big(std::size_t{450} * 1024, 'x');  // base64 makes it ~600 KB of XML
  CHECK(decodeSubmitCall(encodeSubmitCall(big)) == big);
}

TEST_CASE("bad calls are refused as bad calls", "[xmlrpc]") {
  CHECK(callKind("") == EnvelopeErrorKind::kBadCall);
  CHECK(callKind("this is not xml") == EnvelopeErrorKind::kBadCall);
  CHECK(callKind("<methodCall><methodName>mps.submit</methodName>") == EnvelopeErrorKind::kBadCall);
  CHECK(callKind(call("mps.other", "<param><value><base64>AAAA</base64></value></param>")) ==
        EnvelopeErrorKind::kBadCall);
  CHECK(callKind(call("mps.submit", "")) == EnvelopeErrorKind::kBadCall);
  CHECK(callKind(call("mps.submit", "<param><value><string>AAAA</string></value></param>")) ==
        EnvelopeErrorKind::kBadCall);
  CHECK(callKind(call("mps.submit",
                      "<param><value><base64>AAAA</base64></value></param>"
                      "<param><value><int>1</int></value></param>")) ==
        EnvelopeErrorKind::kBadCall);
}

TEST_CASE("oversize calls are refused before parsing", "[xmlrpc]") {
  CHECK(callKind(std::string(kMaxCallBytes + 1, ' ')) == EnvelopeErrorKind::kOversize);
}

TEST_CASE("answers round-trip: acknowledgement and fault", "[xmlrpc]") {
  const SubmitAck ack{"duplicate", 17, 1ull << 40, 250};
  CHECK(std::get<SubmitAck>(decodeSubmitResponse(encodeSubmitResponse(ack))) == ack);
  const SubmitFault fault{kFaultTampered, "envelope fails its seal"};
  CHECK(std::get<SubmitFault>(decodeSubmitResponse(encodeFaultResponse(fault))) == fault);
}

TEST_CASE("malformed answers are refused", "[xmlrpc]") {
  auto refused = [](const std::string& xml) {
    try {
      (void)decodeSubmitResponse(xml);
      FAIL("accepted: " << xml);
    } catch (const EnvelopeError& e) {
      CHECK(e.kind() == EnvelopeErrorKind::kBadCall);
    }
  };
  refused("<html>502 Bad Gateway</html>");
  refused(
      "<?xml "
      "version=\"1.0\"?><methodResponse><params><param><value><int>1</int></value></param></"
      "params></methodResponse>");
  refused(
      "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct>"
      "<member><name>status</name><value><string>maybe</string></value></member>"
      "</struct></value></param></params></methodResponse>");
}

TEST_CASE("every error kind has its own fault code; 2xx are retryable", "[xmlrpc]") {
  std::set<int> codes;
  for (auto kind : {EnvelopeErrorKind::kGarbage, EnvelopeErrorKind::kUnsupportedVersion,
                    EnvelopeErrorKind::kTruncated, EnvelopeErrorKind::kOversize,
                    EnvelopeErrorKind::kUnknownClient, EnvelopeErrorKind::kWrongKey,
                    EnvelopeErrorKind::kTampered, EnvelopeErrorKind::kReplayed,
                    EnvelopeErrorKind::kBadPayload, EnvelopeErrorKind::kBadCall}) {
    codes.insert(faultCodeFor(kind));
    CHECK_FALSE(isRetryableFault(faultCodeFor(kind)));
  }
  CHECK(codes.size() == 10);
  CHECK(isRetryableFault(kFaultRateLimited));
  CHECK(isRetryableFault(kFaultUnavailable));
  CHECK(isRetryableFault(kFaultInternal));
}
