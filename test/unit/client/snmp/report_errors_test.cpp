#include "client/snmp/report_errors.hpp"

#include <catch2/catch.hpp>

using namespace openmps::client::snmp;

TEST_CASE("REPORT counters map to the error a user can act on") {
  auto kindOf = [](const char* oid) { return classifyReport(Oid::of(oid)).kind; };
  CHECK(kindOf("1.3.6.1.6.3.15.1.1.5.0") == ErrorKind::kAuthFailed);
  CHECK(kindOf("1.3.6.1.6.3.15.1.1.3.0") == ErrorKind::kUnknownUser);
  CHECK(kindOf("1.3.6.1.6.3.15.1.1.6.0") == ErrorKind::kDecryptionFailed);
  CHECK(kindOf("1.3.6.1.6.3.15.1.1.1.0") == ErrorKind::kUnsupportedSecurityLevel);
  CHECK(kindOf("1.3.6.1.6.3.12.1.5.0") == ErrorKind::kUnknownContext);
  CHECK(kindOf("1.3.6.1.6.3.12.1.4.0") == ErrorKind::kUnknownContext);
  CHECK(kindOf("1.3.6.1.6.3.11.2.1.3.0") == ErrorKind::kBadResponse);
  // Without the trailing .0 as some agents send it.
  CHECK(kindOf("1.3.6.1.6.3.15.1.1.5") == ErrorKind::kAuthFailed);
}

TEST_CASE("discovery and time-window REPORTs are not failures") {
  CHECK(classifyReport(Oid::of("1.3.6.1.6.3.15.1.1.4.0")).meaning == ReportMeaning::kUnknownEngine);
  CHECK(classifyReport(Oid::of("1.3.6.1.6.3.15.1.1.2.0")).meaning == ReportMeaning::kNotInTime);
  CHECK(classifyReport(Oid::of("1.3.6.1.6.3.15.1.1.5.0")).meaning == ReportMeaning::kError);
}

TEST_CASE("unknown and empty REPORTs are bad responses") {
  CHECK(classifyReport(Oid::of("1.3.6.1.4.1.9.9")).kind == ErrorKind::kBadResponse);
  CHECK(classifyReport(std::nullopt).kind == ErrorKind::kBadResponse);
}

TEST_CASE("failure lines name the target and the credentials but no secret") {
  Target t;
  t.host = "10.0.0.5";
  t.credentials.version = Version::kV3;
  t.credentials.user = "alice";
  t.credentials.authProtocol = AuthProtocol::kSha256;
  t.credentials.authPassword = openmps::util::Secret("topsecret1");
  t.credentials.privProtocol = PrivProtocol::kAes128;
  t.credentials.privPassword = openmps::util::Secret("topsecret2");
  const auto line = describeFailure(t, ErrorKind::kAuthFailed, "authentication failed");
  CHECK(line == "10.0.0.5:161: authentication failed (v3 user alice SHA-256/AES-128)");
  CHECK(line.find("topsecret") == std::string::npos);
  Target v6;
  v6.host = "fe80::1";
  v6.port = 1161;
  CHECK(v6.toString() == "[fe80::1]:1161");
  CHECK(std::string(toString(ErrorKind::kTimeout)) == "timeout");
}
