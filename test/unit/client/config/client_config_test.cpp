#include "client/config/client_config.hpp"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

using namespace openmps::client;
using namespace openmps::client::config;
using namespace std::chrono_literals;

namespace {

ClientConfig parse(const std::string& yaml) {
  return parseConfig(yaml, "client.yaml", "/etc/openmps-client");
}

std::string errorOf(const std::string& yaml) {
  try {
    parse(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("an empty file gives the documented defaults") {
  const ClientConfig c = parse("");
  CHECK(c.dataDir == "/var/lib/openmps-client");
  CHECK(c.intervals.meter == 24h);
  CHECK(c.intervals.status == 5min);
  CHECK(c.snmp.concurrency == 512);
  REQUIRE(c.credentials.size() == 1);
  CHECK(c.credentials[0].credentials.version == snmp::Version::kV2c);
  CHECK(c.credentials[0].credentials.community.reveal() == "public");
  CHECK(c.networks.empty());
}

TEST_CASE("a full configuration") {
  const ClientConfig c = parse(R"(
data_dir: state
log_level: debug
snmp: {timeout_ms: 1500, retries: 2, concurrency: 256}
intervals: {discovery: 12h, meter: 3h, status: 2m}
credentials:
  - name: office-v3
    version: 3
    user: monitor
    auth_protocol: SHA-256
    auth_password: authpass123
    priv_protocol: AES
    priv_password: privpass123
    context: printers
  - name: legacy
    version: 1
    community: secret1
  - {name: public, version: 2c, community: public}
networks:
  - name: head office
    ranges: [192.168.1.0/24, 192.168.2.10-192.168.2.50, printer-3.example.lan]
    exclude: [192.168.1.1, 192.168.1.200-192.168.1.254]
    credentials: [office-v3, public]
  - ranges: 10.9.0.0/28
    port: 1161
carrier: {proxy: "http://proxy.example:3128", send_interval: 5m, max_batch_items: 200}
outbox: {max_items: 10000}
)");
  CHECK(c.dataDir == "/etc/openmps-client/state");
  CHECK(c.logLevel == openmps::util::LogLevel::kDebug);
  CHECK(c.snmp.timeout == 1500ms);
  CHECK(c.snmp.retries == 2);
  CHECK(c.intervals.meter == 3h);
  REQUIRE(c.credentials.size() == 3);
  const auto& v3 = c.credentials[0].credentials;
  CHECK(v3.version == snmp::Version::kV3);
  CHECK(v3.user == "monitor");
  CHECK(v3.authProtocol == snmp::AuthProtocol::kSha256);
  CHECK(v3.privProtocol == snmp::PrivProtocol::kAes128);
  CHECK(v3.authPassword.reveal() == "authpass123");
  CHECK(v3.context == "printers");
  CHECK(c.credentials[1].credentials.version == snmp::Version::kV1);
  REQUIRE(c.networks.size() == 2);
  CHECK(c.networks[0].name == "head office");
  CHECK(c.networks[0].ranges.size() == 3);
  CHECK(c.networks[0].exclude.size() == 2);
  CHECK(c.networks[0].credentials == std::vector<std::size_t>{0, 2});
  CHECK(c.networks[1].credentials == std::vector<std::size_t>{0, 1, 2});  // all, in order
  CHECK(c.networks[1].port == 1161);
  CHECK(c.networks[1].name == "network 2");
  CHECK(c.carrier.proxy == "http://proxy.example:3128");
  CHECK(c.carrier.sendInterval == 5min);
  CHECK(c.carrier.maxBatchItems == 200);
  CHECK(c.outbox.maxItems == 10000);
}

TEST_CASE("errors name the file, the line and the field") {
  CHECK(errorOf("intervals:\n  meter: 1h\n") ==
        "client.yaml:2:10: intervals.meter: must be from 3h to 92d, got '1h'");
  CHECK(errorOf("intervals:\n  meter: 100d\n").find("must be from 3h to 92d") != std::string::npos);
  CHECK(errorOf("intervals:\n  meter: 86400\n").find("expected a duration") != std::string::npos);
  CHECK(
      errorOf("snmp:\n  timeout: 5\n") ==
      "client.yaml:2:3: snmp.timeout: unknown key (known here: timeout_ms, retries, concurrency)");
  CHECK(errorOf("networks:\n  - ranges: [10.0.0.0/8, 10.1.2.3/24]\n") ==
        "client.yaml:2:26: networks[0].ranges[1]: '10.1.2.3/24': host bits are set; did you mean "
        "10.1.2.0/24?");
  CHECK(errorOf("networks:\n  - ranges: 10.0.0.0/24\n    credentials: [nope]\n")
            .starts_with(
                "client.yaml:3:19: networks[0].credentials[0]: no credential set named 'nope'"));
  CHECK(errorOf("networks:\n  - ranges: 10.0.0.0/24\n    exclude: [gateway.lan]\n")
            .find("not host names") != std::string::npos);
  CHECK(errorOf("networks:\n  - exclude: 10.0.0.1\n").find("networks[0]: ranges is missing") !=
        std::string::npos);
  CHECK(errorOf("data_dir: [a, b]\n")
            .starts_with("client.yaml:1:11: data_dir: expected a single value"));
  CHECK(errorOf("log_level: loud\n").find("log_level: unknown log level 'loud'") !=
        std::string::npos);
  CHECK(errorOf("networks: [\n").find("not valid YAML") != std::string::npos);
  CHECK(errorOf("outbox: {max_items: 5}\n")
            .find("outbox.max_items: expected a whole number from 100") != std::string::npos);
  CHECK(errorOf("snmp: {retries: 1, retries: 2}\n").find("snmp.retries: given twice") !=
        std::string::npos);
}

TEST_CASE("credential sets are checked for what their version needs") {
  CHECK(errorOf("credentials:\n  - {name: a, version: 2c}\n").find("needs community") !=
        std::string::npos);
  CHECK(errorOf("credentials:\n  - {version: 2c, community: x}\n").find("needs a name") !=
        std::string::npos);
  CHECK(errorOf("credentials:\n  - {name: a, version: 4, community: x}\n")
            .find("version: expected 1, 2c or 3") != std::string::npos);
  CHECK(errorOf("credentials:\n  - {name: a, version: 3}\n").find("needs user") !=
        std::string::npos);
  CHECK(errorOf("credentials:\n  - {name: a, version: 2c, community: x, user: u}\n")
            .find("credentials[0].user: only for version 3") != std::string::npos);
  CHECK(errorOf("credentials:\n  - {name: a, version: 3, user: u, auth_protocol: SHA, "
                "auth_password: short}\n")
            .find("auth_password: must be at least 8 characters") != std::string::npos);
  CHECK(errorOf("credentials:\n  - {name: a, version: 3, user: u, priv_protocol: AES, "
                "priv_password: longenough}\n")
            .find("privacy needs authentication") != std::string::npos);
  CHECK(errorOf("credentials:\n  - {name: a, version: 3, user: u, auth_protocol: SHA-3, "
                "auth_password: longenough}\n")
            .find("unknown authentication protocol 'SHA-3'") != std::string::npos);
  CHECK(errorOf("credentials:\n  - {name: a, version: 2c, community: x}\n  - {name: a, version: 1, "
                "community: y}\n")
            .find("credentials[1]: the name 'a' is used twice") != std::string::npos);
  CHECK(errorOf("credentials:\n  - {name: a, version: 2c, community: x, community_file: f}\n")
            .find("not both") != std::string::npos);
}

TEST_CASE("secrets can come from files beside the configuration") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("openmps-config-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "community.txt") << "s3cret\n";
  const ClientConfig c = parseConfig(
      "credentials:\n  - {name: a, version: 2c, community_file: community.txt}\n", "c.yaml", dir);
  CHECK(c.credentials[0].credentials.community.reveal() == "s3cret");
  const std::string missing = [&] {
    try {
      parseConfig("credentials:\n  - {name: a, version: 2c, community_file: nope.txt}\n", "c.yaml",
                  dir);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  }();
  INFO(missing);
  CHECK(missing.find("c.yaml:2:44: credentials[0].community_file:") == 0);
  CHECK(missing.find("nope.txt") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a fleet larger than a /8 is refused") {
  CHECK(errorOf("networks:\n  - ranges: [10.0.0.0/8]\n  - ranges: [11.0.0.0/16]\n")
            .find("networks[1]: the networks add up to more than") != std::string::npos);
}

TEST_CASE("local_ui: defaults to this machine only, keys name their errors") {
  const auto defaults = parse("");
  CHECK(defaults.localUi.enabled);
  CHECK(defaults.localUi.listen == "127.0.0.1");
  CHECK(defaults.localUi.port == 52005);
  CHECK_FALSE(defaults.localUi.allowRemote);
  CHECK(defaults.localUiPasswordPath().filename() == "local-ui.password");

  const auto c = parse(R"(
local_ui:
  enabled: false
  listen: 10.0.0.5
  port: 8443
  allow_remote: true
  tls: {cert: ui.crt, key: /etc/openmps-client/ui.key}
)");
  CHECK_FALSE(c.localUi.enabled);
  CHECK(c.localUi.listen == "10.0.0.5");
  CHECK(c.localUi.port == 8443);
  CHECK(c.localUi.allowRemote);
  CHECK(c.localUi.tlsCert.filename() == "ui.crt");
  CHECK(c.localUi.tlsCert.is_absolute());
  CHECK(c.localUi.tlsKey == "/etc/openmps-client/ui.key");

  CHECK(errorOf("local_ui: {port: 0}\n").find("local_ui.port: expected a whole number from 1") !=
        std::string::npos);
  CHECK(errorOf("local_ui: {allow_remote: maybe}\n").find("local_ui.allow_remote: expected true") !=
        std::string::npos);
  CHECK(errorOf("local_ui: {listen: \"\"}\n").find("local_ui.listen: must not be empty") !=
        std::string::npos);
  CHECK(errorOf("local_ui: {tls: {crt: x}}\n").find("local_ui.tls.crt: unknown key") !=
        std::string::npos);
}
