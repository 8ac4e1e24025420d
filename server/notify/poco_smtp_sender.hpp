#pragma once

#include <memory>

#include "server/notify/notify_settings.hpp"
#include "server/notify/senders.hpp"
#include "shared/util/clock.hpp"

// The server's one SMTP sender (Poco SecureSMTPClientSession): STARTTLS or
// implicit TLS with the server's certificate checked against the system's
// CAs or smtp.ca_file, TLS 1.2 or newer, AUTH PLAIN (inside TLS) when a user is set.
//
// Sessions are kept open between messages: a new one costs a TCP connect,
// a TLS handshake and AUTH on both ends, for a burst of alerts a good part
// of the alert engine's cost (server/notify/README.md). A kept session is
// used again only while it is young (idle under 50 s, under 100
// messages) and after it answered RSET with 250; a session that failed in
// any way is closed and never used again, so a broken connection takes no
// second message with it. The TLS context (CA file) is built once.
namespace openmps::server::notify {

class PocoSmtpSender final : public MailSender {
 public:
  PocoSmtpSender(SmtpSettings settings, const util::Clock& clock);
  ~PocoSmtpSender() override;
  PocoSmtpSender(const PocoSmtpSender&) = delete;
  PocoSmtpSender& operator=(const PocoSmtpSender&) = delete;

  // Safe to call from several delivery workers at once: each send has a
  // session of its own.
  SendResult send(const Delivery& delivery) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::notify
