#include "client/config/config_editor.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "shared/util/duration.hpp"
#include "test/unit/temp_dir.hpp"

using namespace openmps;
using namespace openmps::client::config;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr const char* kConfig = R"(data_dir: data
credentials:
  - name: office
    version: 2c
    community: s3cret-community
networks:
  - name: office
    ranges: [192.0.2.0/28]
    credentials: [office]
intervals:
  meter: 12h
)";

std::filesystem::path writeConfig(const test::TempDir& dir, mode_t mode) {
  const auto file = dir.path() / "client.yaml";
  std::ofstream(file) << kConfig;
  ::chmod(file.c_str(), mode);
  return file;
}

}  // namespace

TEST_CASE("the configuration view names every setting and shows no secret") {
  test::TempDir dir("config-editor-test");
  ConfigEditor editor(writeConfig(dir, 0640));
  const ConfigView view = editor.view();
  REQUIRE(view.networks.size() == 1);
  CHECK(view.networks[0].name == "office");
  CHECK(view.networks[0].ranges == std::vector<std::string>{"192.0.2.0/28"});
  CHECK(view.networks[0].credentials == std::vector<std::string>{"office"});
  REQUIRE(view.credentials.size() == 1);
  CHECK(view.credentials[0].version == "2c");
  CHECK(view.credentials[0].secretSet);
  CHECK(view.intervals.meter == util::formatDuration(std::chrono::hours{12}));
  CHECK(view.carrier.smtp.configured == false);
}

TEST_CASE("a valid change is saved atomically, mode kept, the previous file kept as last good") {
  test::TempDir dir("config-editor-test");
  const auto file = writeConfig(dir, 0640);
  ConfigEditor editor(file);
  ConfigChange change;
  change.networks = std::vector<NetworkSettings>{
      {"office", {"192.0.2.0/28", "198.51.100.7"}, {"192.0.2.5"}, {"office"}, 161}};
  change.credentials.push_back(
      {"office", {}, {}, {}, {}, {}, util::Secret("new-community"), {}, {}});
  change.credentials.push_back({"v3",
                                "3",
                                "alice",
                                "SHA-256",
                                "AES",
                                {},
                                {},
                                util::Secret("authpass1"),
                                util::Secret("privpass1")});
  change.meterInterval = "6h";
  const EditResult result = editor.apply(change);
  INFO(result.error);
  REQUIRE(result.ok());
  CHECK(result.config->networks[0].ranges.size() == 2);
  CHECK(result.config->networks[0].exclude.size() == 1);
  CHECK(result.config->credentials[0].credentials.community.reveal() == "new-community");
  CHECK(result.config->credentials[1].credentials.user == "alice");
  CHECK(result.config->intervals.meter == std::chrono::hours{6});

  CHECK(slurp(editor.lastGoodPath()) == kConfig);
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  // The file now loads to the same configuration.
  const ClientConfig reread = loadConfig(file);
  CHECK(reread.credentials.size() == 2);
  CHECK(reread.intervals.meter == std::chrono::hours{6});
  CHECK_FALSE(std::filesystem::exists(dir.path() / ".client.yaml.tmp"));

  // A credential change without secrets keeps the secret.
  ConfigChange rename;
  rename.credentials.push_back({"v3", {}, "bob", {}, {}, {}, {}, {}, {}});
  REQUIRE(editor.apply(rename).ok());
  const ClientConfig after = loadConfig(file);
  CHECK(after.credentials[1].credentials.user == "bob");
  CHECK(after.credentials[1].credentials.authPassword.reveal() == "authpass1");
}

TEST_CASE("an invalid change names the field as the loader does and leaves the file untouched") {
  test::TempDir dir("config-editor-test");
  const auto file = writeConfig(dir, 0600);
  ConfigEditor editor(file);
  ConfigChange change;
  change.networks =
      std::vector<NetworkSettings>{{"office", {"192.0.2.0/28", "192.0.2.300"}, {}, {}, 161}};
  const EditResult bad = editor.apply(change);
  CHECK_FALSE(bad.ok());
  CHECK(bad.field == "networks[0].ranges[1]");
  CHECK_FALSE(bad.reason.empty());
  CHECK(bad.error.find("networks[0].ranges[1]: ") != std::string::npos);
  CHECK(slurp(file) == kConfig);
  CHECK_FALSE(std::filesystem::exists(editor.lastGoodPath()));

  ConfigChange shortPassword;
  shortPassword.credentials.push_back(
      {"v3", "3", "alice", "SHA", {}, {}, {}, util::Secret("short"), {}});
  const EditResult bad2 = editor.apply(shortPassword);
  CHECK_FALSE(bad2.ok());
  CHECK(bad2.field == "credentials[1].auth_password");
  CHECK(slurp(file) == kConfig);
}
