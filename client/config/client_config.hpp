#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/discovery/address_range.hpp"
#include "client/snmp/snmp_client.hpp"
#include "shared/util/log.hpp"
#include "shared/util/secret.hpp"

// The client's configuration file (client/README.md documents every key).
// Validated completely at start: a daemon that starts with a typo would
// read nothing for months before anyone noticed.
namespace openmps::client::config {

// "client.yaml:12:5: networks[0].ranges[2]: ..." — the file, the line, the
// field and what is wrong with it.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  ConfigError(const std::string& message, std::string field, std::string problem)
      : std::runtime_error(message), field_(std::move(field)), problem_(std::move(problem)) {}
  // The field's path ("networks[0].ranges[2]"), empty when none is known.
  const std::string& field() const { return field_; }
  // What is wrong, without file, line and field; empty when not known.
  const std::string& problem() const { return problem_; }

 private:
  std::string field_;
  std::string problem_;
};

struct CredentialSet {
  std::string name;
  snmp::Credentials credentials;
};

struct Network {
  std::string name;
  std::vector<discovery::RangeSpec> ranges;
  std::vector<discovery::RangeSpec> exclude;
  // Indexes into ClientConfig::credentials, tried in this order.
  std::vector<std::size_t> credentials;
  std::uint16_t port = 161;
};

struct SnmpSettings {
  std::chrono::milliseconds timeout{2000};  // per try
  int retries = 1;                          // tries = retries + 1
  int concurrency = 512;                    // discovery requests in flight
};

struct Intervals {
  std::chrono::seconds discovery{std::chrono::hours{24}};
  std::chrono::seconds meter{std::chrono::hours{24}};
  std::chrono::seconds status{std::chrono::minutes{5}};
};

inline constexpr std::chrono::seconds kMinMeterInterval{std::chrono::hours{3}};
inline constexpr std::chrono::seconds kMaxMeterInterval{std::chrono::hours{24 * 92}};

// The e-mail carrier (client/README.md, "E-mail carrier"): used for
// mailto: servers of the enrollment.
struct SmtpSettings {
  bool configured = false;
  std::string server;
  std::uint16_t port = 587;
  bool implicitTls = false;  // tls: implicit (port 465); default STARTTLS
  std::string user;          // empty: no AUTH
  util::Secret password;
  std::string from;
  std::string to;  // overrides the enrollment's mailto: address when set
  std::filesystem::path caFile;
};

struct CarrierSettings {
  // Only for https:// servers; empty means the usual environment variables
  // (https_proxy, no_proxy). xmlrpcs:// always connects directly.
  std::string proxy;
  std::chrono::seconds connectTimeout{15};
  std::chrono::seconds requestTimeout{120};
  // How long an ordinary reading may wait for company before it is sent.
  // Critical conditions never wait.
  std::chrono::seconds sendInterval{std::chrono::minutes{15}};
  std::size_t maxBatchItems = 500;
  SmtpSettings smtp;
};

struct OutboxSettings {
  // Readings kept at most; beyond it new reads are refused (never old ones
  // dropped) and the log says so at error level.
  std::size_t maxItems = 500'000;
};

// The local web UI (client/local_ui): loopback only unless allow_remote,
// and then only with TLS (checked when the listener starts).
struct LocalUiConfig {
  bool enabled = true;
  std::string listen = "127.0.0.1";
  std::uint16_t port = 52005;
  bool allowRemote = false;
  std::filesystem::path tlsCert;
  std::filesystem::path tlsKey;
};

struct ClientConfig {
  std::filesystem::path sourcePath;
  std::filesystem::path dataDir{"/var/lib/openmps-client"};
  // Device definitions used instead of the built-in ones; empty: built-in.
  std::filesystem::path pmdDir;
  util::LogLevel logLevel = util::LogLevel::kInfo;
  std::vector<CredentialSet> credentials;
  std::vector<Network> networks;
  SnmpSettings snmp;
  Intervals intervals;
  CarrierSettings carrier;
  OutboxSettings outbox;
  LocalUiConfig localUi;

  // Files inside dataDir.
  std::filesystem::path databasePath() const { return dataDir / "client.db"; }
  std::filesystem::path enrollmentPath() const { return dataDir / "enrollment.json"; }
  std::filesystem::path keyPath() const { return dataDir / "client.key"; }
  // The local UI's Argon2id password hash (mode 0600).
  std::filesystem::path localUiPasswordPath() const { return dataDir / "local-ui.password"; }
};

// At most this many addresses over all networks (a /8): a sweep beyond it
// would take days at any sensible timeout.
inline constexpr std::uint64_t kMaxSweepAddresses = std::uint64_t{1} << 24;
inline constexpr std::size_t kMaxConfigBytes = 1u << 20;

// Parses the YAML text. sourceName prefixes every error; relative paths
// (data_dir, *_file secrets) are taken relative to baseDir.
ClientConfig parseConfig(std::string_view yaml, const std::string& sourceName,
                         const std::filesystem::path& baseDir);
// Reads and parses a file; warns when a file holding passwords is readable
// by other users.
ClientConfig loadConfig(const std::filesystem::path& path);

}  // namespace openmps::client::config
