#include "shared/envelope/enrollment.hpp"

#include <catch2/catch.hpp>

#include "shared/util/base64.hpp"
#include "unit/shared/envelope/envelope_test_support.hpp"

using namespace openmps::envelope;

namespace {

Enrollment sample() {
  Enrollment e;
  e.servers = {"xmlrpcs://mps.dealer.example:52004", "https://mps.dealer.example/RPC2",
               "mailto:inbox@dealer.example"};
  e.clientId = 17;
  e.key = test::keyFilledWith(0x5a);
  for (std::size_t i = 0; i < e.certFingerprint.size(); ++i)
    e.certFingerprint[i] = static_cast<unsigned char>(i);
  return e;
}

EnrollmentErrorKind kindOf(const std::string& text) {
  try {
    (void)decodeEnrollment(text);
  } catch (const EnrollmentError& e) {
    INFO(e.what());
    return e.kind();
  }
  FAIL("accepted: " << text);
  return EnrollmentErrorKind::kBadPrefix;
}

// An enrollment string with this JSON inside and a correct checksum.
std::string withBody(const std::string& json) {
  std::string body = json;
  const std::string& crcSource = json;
  // Borrow the encoder's checksum by re-encoding: compute CRC-32 like it does.
  unsigned long crc = 0xffffffffUL;
  for (const char c : crcSource) {
    crc ^= static_cast<unsigned char>(c);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320UL & (0UL - (crc & 1UL)));
  }
  crc ^= 0xffffffffUL;
  for (int shift = 24; shift >= 0; shift -= 8)
    body.push_back(static_cast<char>((crc >> shift) & 0xff));
  return "omps1:" + openmps::util::toBase64Url(body);
}

const std::string kKeyB64 = "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo=";
const std::string kFp = std::string(64, 'a');

// A valid body with these servers (a JSON array) and this client id.
std::string bodyWith(const std::string& servers, const std::string& clientId = "3",
                     const std::string& extra = "") {
  return R"({"v":1,"servers":)" + servers + R"(,"client_id":)" + clientId + R"(,"key":")" +
         kKeyB64 + R"(","fingerprint":")" + kFp + R"(")" + extra + "}";
}

// The refusal's kind and message; several checks share a kind.
struct Refusal {
  EnrollmentErrorKind kind = EnrollmentErrorKind::kBadPrefix;
  std::string message;
};

Refusal refusalOf(const std::string& text) {
  try {
    (void)decodeEnrollment(text);
  } catch (const EnrollmentError& e) {
    return {e.kind(), e.what()};
  }
  FAIL("accepted: " << text.substr(0, 200));
  return {};
}

// A valid enrollment string of exactly `length` characters, padded with a
// field the decoder ignores. Base64url without padding skips one length in
// four, so not every length can be made.
std::string validOfLength(std::size_t length) {
  for (std::size_t pad = 0; pad < length; ++pad) {
    const std::string text = withBody(
        bodyWith(R"(["https://a/RPC2"])", "3", R"(,"pad":")" + std::string(pad, 'p') + R"(")"));
    if (text.size() >= length) {
      REQUIRE(text.size() == length);
      return text;
    }
  }
  FAIL("cannot make " << length << " characters");
  return {};
}

}  // namespace

TEST_CASE("an enrollment string round-trips on one line", "[enrollment]") {
  const Enrollment e = sample();
  const std::string text = encodeEnrollment(e);
  CHECK(text.rfind("omps1:", 0) == 0);
  CHECK(text.find_first_of(" \n\t\"'") == std::string::npos);
  const Enrollment back = decodeEnrollment("  " + text + "\r\n");
  CHECK(back.servers == e.servers);
  CHECK(back.clientId == 17);
  CHECK(back.key == e.key);
  CHECK(back.certFingerprint == e.certFingerprint);
}

TEST_CASE("the fingerprint prints like openssl does", "[enrollment]") {
  CHECK(formatFingerprint(sample().certFingerprint).substr(0, 12) == "00:01:02:03:");
  CHECK(formatFingerprint(sample().certFingerprint).size() == 95);
}

TEST_CASE("the test checksum helper agrees with the encoder", "[enrollment]") {
  CHECK(decodeEnrollment(withBody(R"({"v":1,"servers":["https://a/RPC2"],"client_id":3,"key":")" +
                                  kKeyB64 + R"(","fingerprint":")" + kFp + "\"}"))
            .clientId == 3);
}

TEST_CASE("bad enrollment strings each get their own error", "[enrollment]") {
  const std::string good = encodeEnrollment(sample());
  CHECK(kindOf("omps2:" + good.substr(6)) == EnrollmentErrorKind::kBadPrefix);
  CHECK(kindOf("") == EnrollmentErrorKind::kBadPrefix);
  CHECK(kindOf("omps1:not*base64") == EnrollmentErrorKind::kBadEncoding);
  CHECK(kindOf("omps1:AAA") == EnrollmentErrorKind::kBadEncoding);
  std::string flipped = good;
  flipped[40] = flipped[40] == 'A' ? 'B' : 'A';
  CHECK(kindOf(flipped) == EnrollmentErrorKind::kBadChecksum);
  CHECK(kindOf(good.substr(0, good.size() - 4)) ==
        EnrollmentErrorKind::kBadChecksum);  // cut off while copying
  CHECK(kindOf(withBody("not json")) == EnrollmentErrorKind::kBadEncoding);
  const std::string rest =
      R"("client_id":3,"key":")" + kKeyB64 + R"(","fingerprint":")" + kFp + "\"";
  CHECK(kindOf(withBody(R"({"v":1,)" + rest + "}")) == EnrollmentErrorKind::kMissingField);
  CHECK(kindOf(withBody(R"({"v":1,"servers":["https://a/RPC2"],"client_id":3,"fingerprint":")" +
                        kFp + "\"}")) == EnrollmentErrorKind::kMissingField);
  CHECK(kindOf(withBody(R"({"v":2,"servers":["https://a/RPC2"],)" + rest + "}")) ==
        EnrollmentErrorKind::kBadField);
  CHECK(kindOf(withBody(R"({"v":1,"servers":[],)" + rest + "}")) == EnrollmentErrorKind::kBadField);
  CHECK(kindOf(withBody(R"({"v":1,"servers":["ftp://a/"],)" + rest + "}")) ==
        EnrollmentErrorKind::kBadField);
  CHECK(kindOf(withBody(R"({"v":1,"servers":["https://"],)" + rest + "}")) ==
        EnrollmentErrorKind::kBadField);
  CHECK(kindOf(withBody(R"({"v":1,"servers":["mailto:nobody"],)" + rest + "}")) ==
        EnrollmentErrorKind::kBadField);
  CHECK(kindOf(withBody(R"({"v":1,"servers":["https://a b/"],)" + rest + "}")) ==
        EnrollmentErrorKind::kBadField);
  CHECK(kindOf(withBody(R"({"v":1,"servers":["https://a/RPC2"],"client_id":0,"key":")" + kKeyB64 +
                        R"(","fingerprint":")" + kFp + "\"}")) == EnrollmentErrorKind::kBadField);
  CHECK(kindOf(withBody(
            R"({"v":1,"servers":["https://a/RPC2"],"client_id":3,"key":"AAAA","fingerprint":")" +
            kFp + "\"}")) == EnrollmentErrorKind::kBadField);
  CHECK(kindOf(withBody(R"({"v":1,"servers":["https://a/RPC2"],"client_id":3,"key":")" + kKeyB64 +
                        R"(","fingerprint":"abcd"})")) == EnrollmentErrorKind::kBadField);
}

TEST_CASE("an enrollment string over 8192 characters is refused as too long", "[enrollment]") {
  CHECK(decodeEnrollment(validOfLength(8192)).clientId == 3);
  // Valid apart from its length, so only the length check refuses it.
  const Refusal r = refusalOf(validOfLength(8193));
  CHECK(r.kind == EnrollmentErrorKind::kBadEncoding);
  CHECK_THAT(r.message, Catch::Equals("enrollment string: too long"));
}

TEST_CASE("more than 8 servers are refused", "[enrollment]") {
  std::string servers = R"(["https://a/RPC2")";
  for (int i = 1; i < 8; ++i) servers += R"(,"https://a/RPC2")";
  CHECK(decodeEnrollment(withBody(bodyWith(servers + "]"))).servers.size() == 8);
  const Refusal r = refusalOf(withBody(bodyWith(servers + R"(,"https://a/RPC2"])")));
  CHECK(r.kind == EnrollmentErrorKind::kBadField);
  CHECK_THAT(r.message, Catch::Equals("enrollment string: servers: more than 8 entries"));
}

TEST_CASE("a server URL over 512 characters is refused", "[enrollment]") {
  const auto url = [](std::size_t length) {
    const std::string start = "https://a/";
    return start + std::string(length - start.size(), 'x');
  };
  CHECK(decodeEnrollment(withBody(bodyWith("[\"" + url(512) + "\"]"))).servers[0].size() == 512);
  for (const std::size_t length : {std::size_t{513}, std::size_t{2000}}) {
    INFO("URL of " << length << " characters");
    const Refusal r = refusalOf(withBody(bodyWith("[\"" + url(length) + "\"]")));
    CHECK(r.kind == EnrollmentErrorKind::kBadField);
    CHECK_THAT(r.message, Catch::EndsWith("...' longer than 512 characters"));
    CHECK(r.message.size() < 200);  // the URL is named by its start
  }
}

TEST_CASE("a mailto server without a local part or a domain is refused", "[enrollment]") {
  for (const std::string url : {"mailto:@x", "mailto:a@"}) {
    INFO(url);
    const Refusal r = refusalOf(withBody(bodyWith("[\"" + url + "\"]")));
    CHECK(r.kind == EnrollmentErrorKind::kBadField);
    CHECK_THAT(r.message,
               Catch::Equals("enrollment string: server '" + url + "' is not a mail address"));
  }
  CHECK(decodeEnrollment(withBody(bodyWith(R"(["mailto:a@x"])"))).servers[0] == "mailto:a@x");
}

TEST_CASE("a client id above 2^53-1 is refused", "[enrollment]") {
  CHECK(
      decodeEnrollment(withBody(bodyWith(R"(["https://a/RPC2"])", "9007199254740991"))).clientId ==
      9007199254740991u);
  const Refusal r = refusalOf(withBody(bodyWith(R"(["https://a/RPC2"])", "9007199254740992")));
  CHECK(r.kind == EnrollmentErrorKind::kBadField);
  CHECK_THAT(r.message,
             Catch::Equals("enrollment string: client_id: value 9007199254740992 outside "
                           "1..9007199254740991"));
}
