// The fuzz seeds are produced by test/fuzz/make_seeds.py with Python's own
// crypto, following only shared/README.md. That our C++ opens them proves
// the documented format is enough to write a compatible client.
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "openmps_test_dirs.hpp"
#include "shared/envelope/batch.hpp"
#include "shared/envelope/enrollment.hpp"
#include "shared/envelope/seal.hpp"
#include "shared/envelope/xmlrpc_call.hpp"
#include "shared/util/files.hpp"

using namespace openmps::envelope;

namespace {
std::string seed(const std::string& target, const std::string& name) {
  return openmps::util::readFile(
      std::string(OPENMPS_SOURCE_DIR) + "/test/fuzz/corpus/" + target + "/" + name, 1 << 20);
}
ClientKey seedKey() {
  std::array<unsigned char, Key::kSize> bytes{};
  bytes.fill(0x11);
  return ClientKey(bytes);
}
}  // namespace

TEST_CASE("an envelope sealed by an independent implementation opens", "[interop]") {
  for (const char* name : {"sealed_deflate", "sealed_plain"}) {
    const Batch batch = openEnvelope(seed("fuzz_envelope", name), seedKey()).batch;
    CHECK(batch.clientId == 7);
    REQUIRE_FALSE(batch.items.empty());
    CHECK(batch.items.front().reading.identity.serial == "VNB3K12345");
    CHECK(batch.items.front().reading.counters.at("total") == 12345);
  }
}

TEST_CASE("an mps.submit call written by hand decodes to its envelope", "[interop]") {
  CHECK(decodeSubmitCall(seed("fuzz_submit_call", "submit")) ==
        seed("fuzz_envelope", "sealed_deflate"));
}

TEST_CASE("an answer written by hand decodes", "[interop]") {
  const SubmitResult result = decodeSubmitResponse(seed("fuzz_submit_response", "duplicate"));
  REQUIRE(std::holds_alternative<SubmitAck>(result));
  CHECK(std::get<SubmitAck>(result) == SubmitAck{"duplicate", 7, 1, 2});
  const SubmitResult fault = decodeSubmitResponse(seed("fuzz_submit_response", "fault"));
  REQUIRE(std::holds_alternative<SubmitFault>(fault));
  CHECK(std::get<SubmitFault>(fault).code == 104);
}

TEST_CASE("an enrollment string written by hand decodes", "[interop]") {
  const Enrollment e = decodeEnrollment(seed("fuzz_enrollment", "one_server"));
  CHECK(e.clientId == 7);
  CHECK(e.key == seedKey());
  CHECK(e.servers == std::vector<std::string>{"xmlrpcs://mps.example.net:52004"});
}
