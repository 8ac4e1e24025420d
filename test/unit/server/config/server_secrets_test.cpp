#include "server/config/server_secrets.hpp"

#include <filesystem>
#include <random>

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "shared/util/files.hpp"

using namespace openmps::server::config;

namespace {

struct TempDir {
  TempDir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / ("openmps-secrets-" + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::filesystem::path path;
};

unsigned modeOf(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777U;
}

ServerConfig configIn(const std::filesystem::path& dir) {
  return parseServerConfig("database:\n  uri: postgresql://u:p@db/openmps\n", "server.yaml", dir);
}

}  // namespace

TEST_CASE("a fresh server gets a master key and a self-signed certificate once",
          "[server][config]") {
  const TempDir dir;
  const auto cfg = configIn(dir.path);
  const auto first = ensureServerSecrets(cfg);
  CHECK(first.createdMasterKey);
  CHECK(first.createdCertificate);
  CHECK(modeOf(cfg.masterKeyFile) == 0600);
  CHECK(modeOf(cfg.tls.key) == 0600);
  const auto key = loadMasterKey(cfg);
  const auto fingerprint = certificateFingerprint(cfg.tls.certificate);
  CHECK(fingerprint != std::array<unsigned char, 32>{});
  // Never overwritten: the same key, the same certificate.
  const auto second = ensureServerSecrets(cfg);
  CHECK_FALSE(second.createdMasterKey);
  CHECK_FALSE(second.createdCertificate);
  CHECK(loadMasterKey(cfg) == key);
  CHECK(certificateFingerprint(cfg.tls.certificate) == fingerprint);
}

TEST_CASE("a certificate without its key is an error, not a reason for a new pair",
          "[server][config]") {
  const TempDir dir;
  const auto cfg = configIn(dir.path);
  ensureServerSecrets(cfg);
  std::filesystem::remove(cfg.tls.key);
  CHECK_THROWS_WITH(ensureServerSecrets(cfg), Catch::Contains("server.key is missing"));
}

TEST_CASE("missing master key and broken certificates are named", "[server][config]") {
  const TempDir dir;
  const auto cfg = configIn(dir.path);
  CHECK_THROWS_WITH(loadMasterKey(cfg), Catch::Contains("master.key does not exist"));
  openmps::util::writeFileAtomically(dir.path / "bad.crt", "not a certificate");
  CHECK_THROWS_WITH(certificateFingerprint(dir.path / "bad.crt"),
                    Catch::Contains("holds no PEM certificate"));
}
