#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/config/client_config.hpp"
#include "shared/util/secret.hpp"

// Editing the configuration file from the local UI: a change is applied to
// the YAML text, the result is read by the same loader (so a mistake gets
// the same message as in the file, with the field's path), and only a valid
// result replaces the file: atomically, mode kept, the previous file kept
// beside it as the last good version. Secrets are never shown back.
namespace openmps::client::config {

// The settings as the UI shows them: names as in the file, durations as
// text ("24h"), no secret (only whether one is set).
struct NetworkSettings {
  std::string name;
  std::vector<std::string> ranges;
  std::vector<std::string> exclude;
  std::vector<std::string> credentials;  // credential set names, in order
  std::uint16_t port = 161;
};

struct CredentialView {
  std::string name;
  std::string version;  // "1", "2c" or "3"
  std::string user;
  std::string authProtocol;  // "" or MD5, SHA, SHA-224 ... SHA-512
  std::string privProtocol;  // "" or DES, AES, AES-192, AES-256
  std::string context;
  bool secretSet = false;  // community, or the v3 passwords its protocols need
};

struct IntervalSettings {
  std::string discovery;
  std::string meter;
  std::string status;
};

struct SmtpView {
  bool configured = false;
  std::string server;
  std::uint16_t port = 587;
  std::string tls;  // "starttls" or "implicit"
  std::string user;
  bool passwordSet = false;
  std::string from;
  std::string to;
};

struct CarrierView {
  std::string proxy;
  std::string sendInterval;
  SmtpView smtp;
};

struct ConfigView {
  std::vector<NetworkSettings> networks;
  std::vector<CredentialView> credentials;
  IntervalSettings intervals;
  CarrierView carrier;
};

ConfigView viewConfig(const ClientConfig& config);

// A change; what is not given stays as it is.
struct CredentialChange {
  std::string name;  // the set to change; an unknown name adds a set
  std::optional<std::string> version;
  std::optional<std::string> user;
  std::optional<std::string> authProtocol;  // "" removes
  std::optional<std::string> privProtocol;  // "" removes
  std::optional<std::string> context;
  // Only given secrets change; a given one replaces a *_file key too.
  std::optional<util::Secret> community;
  std::optional<util::Secret> authPassword;
  std::optional<util::Secret> privPassword;
};

struct SmtpChange {
  bool remove = false;  // drops carrier.smtp; the rest is ignored
  std::optional<std::string> server;
  std::optional<std::uint16_t> port;
  std::optional<std::string> tls;
  std::optional<std::string> user;
  std::optional<util::Secret> password;
  std::optional<std::string> from;
  std::optional<std::string> to;  // "" removes
};

struct ConfigChange {
  std::optional<std::vector<NetworkSettings>> networks;  // replaces all networks
  std::vector<CredentialChange> credentials;
  std::vector<std::string> removeCredentials;
  std::optional<std::string> discoveryInterval;
  std::optional<std::string> meterInterval;
  std::optional<std::string> statusInterval;
  std::optional<std::string> proxy;  // "" removes
  std::optional<std::string> sendInterval;
  std::optional<SmtpChange> smtp;
};

// Pure: the configuration text with the change applied. Comments and key
// order outside the changed sections may not survive. Throws ConfigError
// when yaml is not a mapping (the file's own loader says more).
std::string applyChange(std::string_view yaml, const ConfigChange& change);

struct EditResult {
  std::shared_ptr<const ClientConfig> config;  // the new configuration when saved
  std::string error;                           // the loader's whole message otherwise
  std::string field;                           // "networks[0].ranges[2]" ("" when none)
  std::string reason;                          // the message without file, line and field
  bool ok() const { return config != nullptr; }
};

// One per configuration file; thread-safe (one change at a time).
class ConfigEditor {
 public:
  explicit ConfigEditor(std::filesystem::path file);

  // The file as it is now (throws ConfigError when it does not load).
  ConfigView view() const;
  // Applies, validates and saves; on any error the file is not touched.
  EditResult apply(const ConfigChange& change);
  const std::filesystem::path& file() const { return file_; }
  // FILE.last-good: the file as it was before the last saved change.
  std::filesystem::path lastGoodPath() const;

 private:
  std::filesystem::path file_;
  mutable std::mutex mutex_;
};

// Writes text to path atomically: a temporary file in the same directory,
// fsync, rename over path, fsync of the directory. The mode of an existing
// file is kept (new files: 0600).
void writeFileAtomically(const std::filesystem::path& path, std::string_view text);

}  // namespace openmps::client::config
