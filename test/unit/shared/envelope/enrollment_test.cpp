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
