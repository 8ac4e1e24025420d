#include "client/config/enrollment_store.hpp"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "test/unit/temp_dir.hpp"

using namespace openmps;
using namespace openmps::client::config;

namespace {

envelope::Enrollment sample() {
  envelope::Enrollment e;
  e.servers = {"xmlrpcs://mps.example.net:52004", "https://mps.example.net/RPC2"};
  e.clientId = 4711;
  std::array<unsigned char, 32> key{};
  key.fill(7);
  e.key = envelope::ClientKey(key);
  for (std::size_t i = 0; i < e.certFingerprint.size(); ++i) {
    e.certFingerprint[i] = static_cast<unsigned char>(i * 9);
  }
  return e;
}

}  // namespace

TEST_CASE("an enrollment is stored with its key readable by the owner only and read back") {
  test::TempDir dir("enroll-test", false);
  ClientConfig cfg;
  cfg.dataDir = dir.path() / "data";
  CHECK_FALSE(loadEnrollment(cfg));
  storeEnrollment(cfg, sample());
  struct stat st {};
  REQUIRE(::stat(cfg.keyPath().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat(cfg.dataDir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0077) == 0);
  const auto back = loadEnrollment(cfg);
  REQUIRE(back);
  CHECK(back->clientId == 4711);
  CHECK(back->servers == sample().servers);
  CHECK(back->certFingerprint == sample().certFingerprint);
  CHECK(back->key == sample().key);
  // The key is not in the JSON file.
  std::ifstream json(cfg.enrollmentPath());
  const std::string text((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  CHECK(text.find(envelope::keyToBase64(sample().key)) == std::string::npos);
}

TEST_CASE("a damaged enrollment file is named in the error") {
  test::TempDir dir("enroll-test", false);
  ClientConfig cfg;
  cfg.dataDir = dir.path();
  storeEnrollment(cfg, sample());
  std::ofstream(cfg.enrollmentPath()) << "{\"client_id\": 5}";
  CHECK_THROWS_WITH(loadEnrollment(cfg),
                    Catch::Contains("enrollment.json") && Catch::Contains("enroll again"));
  std::ofstream(cfg.enrollmentPath())
      << "{\"client_id\": 5, \"servers\": [\"x\"], \"fingerprint\": \"zz\"}";
  CHECK_THROWS_WITH(loadEnrollment(cfg), Catch::Contains("fingerprint"));
  storeEnrollment(cfg, sample());
  std::filesystem::remove(cfg.keyPath());
  CHECK_THROWS_WITH(loadEnrollment(cfg), Catch::Contains("client.key"));
}
