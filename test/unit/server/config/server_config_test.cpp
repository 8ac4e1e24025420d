#include "server/config/server_config.hpp"

#include <catch2/catch.hpp>

using openmps::server::config::ConfigError;
using openmps::server::config::enrollmentAddresses;
using openmps::server::config::parseServerConfig;

namespace {

std::string errorOf(const std::string& yaml) {
  try {
    parseServerConfig(yaml, "server.yaml", "/etc/openmps");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a minimal configuration gets the documented defaults", "[server][config]") {
  const auto cfg = parseServerConfig("database:\n  uri: postgresql://u:p@db/openmps\n",
                                     "server.yaml", "/etc/openmps");
  CHECK(cfg.databaseUri.reveal() == "postgresql://u:p@db/openmps");
  CHECK(cfg.xmlrpc.enabled);
  CHECK(cfg.xmlrpc.tls);
  CHECK(cfg.xmlrpc.listen.host == "0.0.0.0");
  CHECK(cfg.xmlrpc.listen.port == 52004);
  CHECK_FALSE(cfg.web.enabled);
  CHECK(cfg.masterKeyFile == "/etc/openmps/master.key");
  CHECK(cfg.tls.certificate == "/etc/openmps/server.crt");
  CHECK(cfg.tls.key == "/etc/openmps/server.key");
  CHECK_FALSE(cfg.mailbox.present);
  CHECK_FALSE(cfg.metrics.enabled);
  CHECK(cfg.needsTls());
}

TEST_CASE("the metrics listener is on loopback unless told otherwise", "[server][config]") {
  const std::string db = "database:\n  uri: postgresql://u:p@db/openmps\n";
  const auto on = parseServerConfig(db + "metrics: {}\n", "server.yaml", "/etc/openmps");
  CHECK(on.metrics.enabled);
  CHECK(on.metrics.listen.toString() == "127.0.0.1:9464");
  const auto moved =
      parseServerConfig(db + "metrics:\n  listen: 10.0.0.5:9100\n", "server.yaml", "/etc/openmps");
  CHECK(moved.metrics.listen.toString() == "10.0.0.5:9100");
  const auto off =
      parseServerConfig(db + "metrics:\n  enabled: false\n", "server.yaml", "/etc/openmps");
  CHECK_FALSE(off.metrics.enabled);
  CHECK_THAT(errorOf(db + "metrics:\n  port: 1\n"), Catch::Contains("metrics.port: unknown key"));
  CHECK_THAT(errorOf(db + "portal:\n  listen: 127.0.0.1:9464\nmetrics: {}\n"),
             Catch::Contains("portal.listen and metrics.listen are the same address"));
}

TEST_CASE("every section is read", "[server][config]") {
  const auto cfg = parseServerConfig(
      "database:\n  uri: postgresql://u:p@db/openmps\n"
      "xmlrpc:\n  listen: 127.0.0.1:1234\n  tls: false\n"
      "web:\n  listen: '[::1]:8443'\n"
      "tls:\n  certificate: /x/c.pem\n  key: k.pem\n"
      "master_key_file: keys/master.key\n"
      "public_addresses: [xmlrpcs://mps.example.com:52004, https://mps.example.com/RPC2]\n"
      "certificate_names: [mps.example.com]\n"
      "limits:\n  max_request_bytes: 100000\n  max_connections: 10\n  rate_per_minute: 5\n"
      "  rate_burst: 2\n  request_timeout: 7s\n  handshake_timeout: 3s\n  idle_timeout: 1m\n"
      "  max_pending_connections: 12\n  max_pending_per_peer: 2\n"
      "  peer_rate_per_minute: 50\n  peer_rate_burst: 6\n"
      "ingest:\n  workers: 3\n  queue_length: 9\n"
      "mailbox:\n  url: imaps://mail.example.com/INBOX\n"
      "log_level: debug\n",
      "server.yaml", "/etc/openmps");
  CHECK(cfg.xmlrpc.listen.toString() == "127.0.0.1:1234");
  CHECK_FALSE(cfg.xmlrpc.tls);
  CHECK(cfg.web.enabled);
  CHECK(cfg.web.listen.host == "::1");
  CHECK(cfg.web.listen.toString() == "[::1]:8443");
  CHECK(cfg.tls.certificate == "/x/c.pem");
  CHECK(cfg.tls.key == "/etc/openmps/k.pem");
  CHECK(cfg.masterKeyFile == "/etc/openmps/keys/master.key");
  CHECK(cfg.limits.maxRequestBytes == 100000);
  CHECK(cfg.limits.maxConnections == 10);
  CHECK(cfg.limits.ratePerMinute == 5);
  CHECK(cfg.limits.rateBurst == 2);
  CHECK(cfg.limits.requestTimeout == std::chrono::seconds(7));
  CHECK(cfg.limits.handshakeTimeout == std::chrono::seconds(3));
  CHECK(cfg.limits.idleTimeout == std::chrono::seconds(60));
  CHECK(cfg.limits.maxPendingConnections == 12);
  CHECK(cfg.limits.maxPendingPerPeer == 2);
  CHECK(cfg.limits.peerRatePerMinute == 50);
  CHECK(cfg.limits.peerRateBurst == 6);
  CHECK(cfg.ingest.workers == 3);
  CHECK(cfg.ingest.queueLength == 9);
  CHECK(cfg.mailbox.present);
  CHECK(cfg.logLevel == openmps::util::LogLevel::kDebug);
  CHECK(enrollmentAddresses(cfg) == std::vector<std::string>{"xmlrpcs://mps.example.com:52004",
                                                             "https://mps.example.com/RPC2"});
}

TEST_CASE("enrollment addresses follow the listeners when none are configured",
          "[server][config]") {
  const auto cfg = parseServerConfig(
      "database:\n  uri: postgresql://u:p@db/openmps\nxmlrpc:\n  listen: 10.0.0.5:52004\n"
      "web:\n  listen: 10.0.0.5:443\n",
      "server.yaml", "/etc/openmps");
  CHECK(enrollmentAddresses(cfg) ==
        std::vector<std::string>{"xmlrpcs://10.0.0.5:52004", "https://10.0.0.5:443/RPC2"});
}

TEST_CASE("errors name the file, the line and the field", "[server][config]") {
  const std::string db = "database:\n  uri: postgresql://u:p@db/openmps\n";
  CHECK_THAT(errorOf(db + "xmlrpc:\n  listen: nowhere\n"),
             Catch::StartsWith("server.yaml:4:11: xmlrpc.listen: expected HOST:PORT"));
  CHECK_THAT(errorOf(db + "xmlrpc:\n  listen: 1.2.3.4:70000\n"),
             Catch::Contains("xmlrpc.listen: port must be a number from 0 to 65535"));
  CHECK_THAT(errorOf(db + "xmlrpc:\n  tls: maybe\n"),
             Catch::Contains("server.yaml:4:8: xmlrpc.tls: expected true or false"));
  CHECK_THAT(errorOf(db + "xmlrcp:\n  tls: false\n"),
             Catch::Contains("server.yaml:3:1: xmlrcp: unknown key"));
  CHECK_THAT(errorOf(db + "limits:\n  rate_burst: 0\n"),
             Catch::Contains("limits.rate_burst: expected a whole number from 1"));
  CHECK_THAT(errorOf(db + "limits:\n  request_timeout: 30\n"),
             Catch::Contains("limits.request_timeout: expected a duration from 1s to 1h"));
  CHECK_THAT(errorOf(db + "limits:\n  handshake_timeout: 1h\n"),
             Catch::Contains("limits.handshake_timeout: expected a duration from 1s to 5m"));
  CHECK_THAT(errorOf(db + "limits:\n  max_request_bytes: 999999999\n"),
             Catch::Contains("limits.max_request_bytes"));
  CHECK_THAT(errorOf(db + "public_addresses: [ftp://x]\n"),
             Catch::Contains("public_addresses[0]: expected an address starting with xmlrpcs://"));
  CHECK_THAT(errorOf(db + "log_level: loud\n"), Catch::Contains("log_level: expected debug"));
  CHECK_THAT(errorOf("xmlrpc:\n  tls: true\n"), Catch::Contains("missing section 'database'"));
  CHECK_THAT(errorOf("database:\n  uri: mysql://x\n"),
             Catch::Contains("database.uri: expected a PostgreSQL URI"));
  CHECK_THAT(errorOf("database:\n  uri: postgresql://a\n  uri_file: /x\n"),
             Catch::Contains("give either uri or uri_file"));
  CHECK_THAT(errorOf(db + "xmlrpc:\n  enabled: false\n"), Catch::Contains("no receiver enabled"));
  CHECK_THAT(errorOf(db + "xmlrpc:\n  listen: 1.2.3.4:5\nweb:\n  listen: 1.2.3.4:5\n"),
             Catch::Contains("same address"));
  CHECK_THAT(errorOf("database: [\n"), Catch::Contains("not valid YAML"));
  CHECK_THAT(errorOf(db + "database:\n  uri: postgresql://x\n"), Catch::Contains("given twice"));
}

TEST_CASE("the database URI can come from a file that keeps it out of the config",
          "[server][config]") {
  CHECK_THAT(errorOf("database:\n  uri_file: /nonexistent/openmps-uri\n"),
             Catch::Contains("database.uri_file: "));
}
