#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "shared/util/log.hpp"
#include "shared/util/secret.hpp"

// The server's configuration file (server/README.md documents every key).
// Validated completely at start; every error names the file, the line and
// the field.
namespace openmps::server::config {

// "server.yaml:7:3: xmlrpc.listen: ..." — file, line, field, problem.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ListenAddress {
  std::string host;  // numeric IPv4/IPv6 or a name; "0.0.0.0" for all
  std::uint16_t port = 0;
  std::string toString() const;
};

struct XmlRpcListener {
  bool enabled = true;
  ListenAddress listen{"0.0.0.0", 52004};
  bool tls = true;  // false only when the file says `tls: false`
};

struct WebListener {
  bool enabled = false;
  ListenAddress listen{"0.0.0.0", 443};  // HTTPS; POST /RPC2 carries mps.submit
};

// The HTTPS listener for people and programs: the portal's files at / and
// the REST API at /api/v1 (server/api). Present in the file = enabled.
struct PortalListener {
  bool enabled = false;
  ListenAddress listen{"0.0.0.0", 8443};
  std::filesystem::path staticDir;  // the built portal; empty: the API only
  std::size_t maxBodyBytes = 1u << 20;
};

// /metrics (Prometheus text), /healthz and /readyz over plain HTTP, on
// loopback unless told otherwise (server/metrics). Present = enabled.
struct MetricsListener {
  bool enabled = false;
  ListenAddress listen{"127.0.0.1", 9464};
};

struct TlsFiles {
  std::filesystem::path certificate;  // PEM
  std::filesystem::path key;          // PEM, mode 0600
};

// The hardened listener's limits (receiver/poco_http_listener.hpp), per
// listener, and the rate limits of the receivers.
struct Limits {
  std::size_t maxRequestBytes = 12u << 20;  // at most envelope::kMaxCallBytes
  int maxConnections = 256;                 // per listener, handled + queued
  int maxConnectionsPerPeer = 16;           // per listener and peer address
  // Connections in their TLS handshake, their request or the wait for the
  // next one, per listener and per peer address.
  int maxPendingConnections = 32;
  int maxPendingPerPeer = 4;
  std::chrono::seconds handshakeTimeout{10};  // whole TLS handshake
  std::chrono::seconds requestTimeout{30};    // whole request: head and body
  std::chrono::seconds idleTimeout{15};       // kept-alive connection, next request
  // Before authentication: token bucket per source address.
  int peerRatePerMinute = 600;
  int peerRateBurst = 120;
  // After the seal was verified: token bucket per client id.
  int ratePerMinute = 120;
  int rateBurst = 30;
};

struct IngestSettings {
  int workers = 4;        // database connections used for ingest
  int queueLength = 256;  // envelopes waiting for a worker before "unavailable"
};

// Filled by server/mailbox: the section is kept as the config file's text
// plus its path, so the mailbox parser reads its own keys with their own
// line numbers (YAML::Load(sourceText)["mailbox"]).
struct MailboxSection {
  bool present = false;
};

struct ServerConfig {
  std::filesystem::path sourcePath;
  std::string sourceText;

  util::Secret databaseUri;  // postgresql://user:pass@host:port/db
  XmlRpcListener xmlrpc;
  WebListener web;
  PortalListener portal;
  MetricsListener metrics;
  TlsFiles tls;
  std::filesystem::path masterKeyFile;
  // What enrollment strings tell clients (xmlrpcs://host:52004,
  // https://host/RPC2, mailto:...). Derived from the listeners when empty.
  std::vector<std::string> publicAddresses;
  // Names the self-signed certificate is made for (subjectAltName).
  std::vector<std::string> certificateNames;
  Limits limits;
  IngestSettings ingest;
  MailboxSection mailbox;
  util::LogLevel logLevel = util::LogLevel::kInfo;

  // Whether any listener needs the certificate and key.
  bool needsTls() const { return (xmlrpc.enabled && xmlrpc.tls) || web.enabled || portal.enabled; }
};

ServerConfig parseServerConfig(const std::string& text, const std::string& sourceName,
                               const std::filesystem::path& baseDir);
ServerConfig loadServerConfig(const std::filesystem::path& path);

// The addresses enrollment strings carry: publicAddresses, or one per
// enabled listener with its host (0.0.0.0 replaced by the machine's name).
std::vector<std::string> enrollmentAddresses(const ServerConfig& config);

}  // namespace openmps::server::config
