#include "shared/envelope/keys.hpp"

#include <filesystem>

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "shared/util/base64.hpp"
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

TEST_CASE("client keys derive to the published known answers", "[envelope]") {
  // shared/README.md publishes these for other implementations. Computed
  // independently, not with this code: libsodium 1.0.18's
  // crypto_kdf_derive_from_key is BLAKE2b with an empty message, so in Python
  //   hashlib.blake2b(b"", digest_size=32, key=bytes(range(32)),
  //                   salt=client_id.to_bytes(8, "little") + bytes(8),
  //                   person=b"OMPSclnt" + bytes(8)).hexdigest()
  // The largest client id pins the byte order of the subkey id.
  std::array<unsigned char, Key::kSize> masterBytes{};
  for (std::size_t i = 0; i < masterBytes.size(); ++i)
    masterBytes[i] = static_cast<unsigned char>(i);
  const MasterKey master(masterBytes);
  const auto hexOf = [](const Key& key) {
    return openmps::util::toHex(
        std::string_view(reinterpret_cast<const char*>(key.bytes().data()), Key::kSize));
  };
  CHECK(hexOf(deriveClientKey(master, 7)) ==
        "f29513e0efad00e38893e5d6a276c5bd32553d6c0bda456ac44f64aa7fd9dab3");
  CHECK(hexOf(deriveClientKey(master, 9007199254740991)) ==
        "1e9ad552fa8ad67172cf0c113e4285ee901fbd15ec0850c2f44efaf5ea9ced18");
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
