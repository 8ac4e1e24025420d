#include "shared/envelope/keys.hpp"

#include <filesystem>

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "shared/util/files.hpp"
#include "unit/shared/envelope/envelope_test_support.hpp"

using namespace openmps::envelope;
namespace fs = std::filesystem;

namespace {

fs::path tempDir() {
  char pattern[] = "/tmp/openmps-keys-XXXXXX";
  return fs::path(::mkdtemp(pattern));
}

std::string readKeyError(const fs::path& path) {
  try {
    (void)readKeyFile(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  FAIL("key accepted: " << path);
  return {};
}

}  // namespace

TEST_CASE("client keys derive deterministically from the master key", "[envelope]") {
  const MasterKey master = test::keyFilledWith(0x42);
  CHECK(deriveClientKey(master, 17) == deriveClientKey(master, 17));
  CHECK_FALSE(deriveClientKey(master, 17) == deriveClientKey(master, 18));
  CHECK_FALSE(deriveClientKey(master, 17) == deriveClientKey(test::keyFilledWith(0x43), 17));
  CHECK_FALSE(generateMasterKey() == generateMasterKey());
}

TEST_CASE("key files round-trip with mode 0600", "[envelope]") {
  const fs::path dir = tempDir();
  const Key key = generateMasterKey();
  writeKeyFile(dir / "master.key", key);
  struct stat st {};
  REQUIRE(::stat((dir / "master.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(readKeyFile(dir / "master.key") == key);
  fs::remove_all(dir);
}

TEST_CASE("bad key files are refused with the reason", "[envelope]") {
  const fs::path dir = tempDir();
  CHECK_THAT(readKeyError(dir / "missing.key"), Catch::Contains("missing"));
  openmps::util::writeFileAtomically(dir / "open.key", keyToBase64(generateMasterKey()), 0644);
  CHECK_THAT(readKeyError(dir / "open.key"), Catch::Contains("chmod 600"));
  openmps::util::writeFileAtomically(dir / "text.key", "not base64 at all!", 0600);
  CHECK_THAT(readKeyError(dir / "text.key"), Catch::Contains("not base64"));
  openmps::util::writeFileAtomically(dir / "short.key", "AAAA", 0600);
  CHECK_THAT(readKeyError(dir / "short.key"), Catch::Contains("expected 32"));
  fs::remove_all(dir);
}
