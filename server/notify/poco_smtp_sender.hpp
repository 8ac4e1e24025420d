#pragma once

#include "server/notify/notify_settings.hpp"
#include "server/notify/senders.hpp"
#include "shared/util/clock.hpp"

// The server's one SMTP sender (Poco SecureSMTPClientSession): STARTTLS or
// implicit TLS with the server's certificate checked against the system's
// CAs or smtp.ca_file, TLS 1.2 or newer, AUTH PLAIN (inside TLS) when a user is set.
// One connection per message: alerts are few, and a broken connection
// never takes a second message with it.
namespace openmps::server::notify {

class PocoSmtpSender final : public MailSender {
 public:
  PocoSmtpSender(SmtpSettings settings, const util::Clock& clock);
  SendResult send(const Delivery& delivery) override;

 private:
  SmtpSettings settings_;
  const util::Clock& clock_;
};

}  // namespace openmps::server::notify
