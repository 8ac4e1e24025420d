#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "server/notify/retry_policy.hpp"
#include "shared/util/secret.hpp"

// The `notify:` section of the server's configuration file: the SMTP server
// every e-mail leaves through, webhook calls, and the delivery workers
// (server/README.md, "Notifications", documents every key).
namespace openmps::server::notify {

class NotifyConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class SmtpTls {
  kStartTls,  // connect in clear, STARTTLS before anything else (port 587)
  kImplicit,  // TLS from the first byte (port 465)
};

struct SmtpSettings {
  bool configured = false;  // no smtp: e-mail waits in the outbox
  std::string host;
  std::uint16_t port = 587;
  SmtpTls tls = SmtpTls::kStartTls;
  std::string user;  // empty: no AUTH
  util::Secret password;
  std::string from;  // the sender address
  std::string fromName = "OpenMPS";
  std::filesystem::path caFile;  // empty: the system's trusted CAs
  std::chrono::seconds timeout{30};
};

struct WebhookSettings {
  std::filesystem::path caFile;  // empty: the system's trusted CAs
  std::chrono::seconds timeout{10};
};

struct NotifySettings {
  SmtpSettings smtp;
  WebhookSettings webhooks;
  int workers = 2;  // delivery threads, each with its database connection
  RetryPolicy retry;
  // How often workers look for due retries when nobody wakes them.
  std::chrono::milliseconds pollInterval{5000};
};

// Reads the `notify:` section of the whole configuration text (absent: the
// defaults, no SMTP). Errors name the file, line and field.
NotifySettings parseNotifySettings(const std::string& configText, const std::string& sourceName,
                                   const std::filesystem::path& baseDir);

}  // namespace openmps::server::notify
