#include "client/snmp/credential_options.hpp"

#include <catch2/catch.hpp>

using namespace openmps::client::snmp;
using openmps::util::UsageError;

namespace {
openmps::util::ParsedArgs parse(std::vector<std::string> args) {
  const auto specs = snmpOptionSpecs();
  return openmps::util::parseArgs(args, specs);
}
}  // namespace

TEST_CASE("v2c with the public community is the default") {
  auto c = credentialsFromArgs(parse({}));
  CHECK(c.version == Version::kV2c);
  CHECK(c.community.reveal() == "public");
  c = credentialsFromArgs(parse({"--snmp-version", "1", "--community", "private"}));
  CHECK(c.version == Version::kV1);
  CHECK(c.community.reveal() == "private");
}

TEST_CASE("SNMPv3 options become a v3 credential set") {
  auto c = credentialsFromArgs(
      parse({"--user", "alice", "--auth-protocol", "sha-256", "--auth-password", "authpass123",
             "--priv-protocol", "AES", "--priv-password", "privpass123", "--context", "printer"}));
  CHECK(c.version == Version::kV3);
  CHECK(c.user == "alice");
  CHECK(c.authProtocol == AuthProtocol::kSha256);
  CHECK(c.privProtocol == PrivProtocol::kAes128);
  CHECK(c.context == "printer");
  CHECK(c.describe() == "v3 user alice SHA-256/AES-128 context printer");
  // A password alone picks SHA-1 and AES-128.
  c = credentialsFromArgs(parse({"--user", "bob", "--auth-password", "authpass456"}));
  CHECK(c.authProtocol == AuthProtocol::kSha1);
  CHECK(c.privProtocol == PrivProtocol::kNone);
  c = credentialsFromArgs(parse({"--snmp-version", "3", "--user", "nobody"}));
  CHECK(c.authProtocol == AuthProtocol::kNone);
  CHECK(c.describe() == "v3 user nobody noAuthNoPriv");
}

TEST_CASE("inconsistent SNMP options are usage errors naming the option") {
  CHECK_THROWS_WITH(credentialsFromArgs(parse({"--snmp-version", "4"})),
                    Catch::Contains("--snmp-version"));
  CHECK_THROWS_WITH(credentialsFromArgs(parse({"--user", "a", "--auth-password", "short"})),
                    Catch::Contains("8 characters"));
  CHECK_THROWS_WITH(credentialsFromArgs(parse({"--user", "a", "--auth-protocol", "SHA-3",
                                               "--auth-password", "authpass123"})),
                    Catch::Contains("--auth-protocol"));
  CHECK_THROWS_WITH(credentialsFromArgs(parse({"--snmp-version", "2c", "--user", "a"})),
                    Catch::Contains("--snmp-version 3"));
  CHECK_THROWS_WITH(credentialsFromArgs(parse({"--snmp-version", "3"})), Catch::Contains("--user"));
  CHECK_THROWS_WITH(credentialsFromArgs(parse({"--user", "a", "--priv-password", "privpass123"})),
                    Catch::Contains("needs authentication"));
  CHECK_THROWS_AS(credentialsFromArgs(parse({"--user", "a", "--community", "x"})), UsageError);
}

TEST_CASE("timeouts and retries are bounded") {
  Target t;
  applyTimingArgs(parse({"--timeout-ms", "250", "--retries", "3"}), t);
  CHECK(t.timeout == std::chrono::milliseconds(250));
  CHECK(t.retries == 3);
  CHECK_THROWS_AS(applyTimingArgs(parse({"--retries", "-1"}), t), UsageError);
  CHECK_THROWS_AS(applyTimingArgs(parse({"--timeout-ms", "0"}), t), UsageError);
}

TEST_CASE("host and port forms") {
  CHECK(parseHostPort("10.0.0.5", 161) ==
        std::make_pair(std::string("10.0.0.5"), std::uint16_t{161}));
  CHECK(parseHostPort("10.0.0.5:1161", 161) ==
        std::make_pair(std::string("10.0.0.5"), std::uint16_t{1161}));
  CHECK(parseHostPort("[fe80::1]:162", 161) ==
        std::make_pair(std::string("fe80::1"), std::uint16_t{162}));
  CHECK(parseHostPort("fe80::1", 161) ==
        std::make_pair(std::string("fe80::1"), std::uint16_t{161}));
  CHECK(parseHostPort("printer.local", 161)->first == "printer.local");
  CHECK_FALSE(parseHostPort("10.0.0.5:0", 161));
  CHECK_FALSE(parseHostPort("10.0.0.5:70000", 161));
  CHECK_FALSE(parseHostPort("10.0.0.5:x", 161));
  CHECK_FALSE(parseHostPort(":161", 161));
  CHECK_FALSE(parseHostPort("", 161));
  CHECK_FALSE(parseHostPort("[fe80::1", 161));
}
