#include "server/notify/poco_smtp_sender.hpp"

#include <mutex>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/PartSource.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureSMTPClientSession.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/Timestamp.h>

namespace openmps::server::notify {
namespace {

using Poco::Net::MailMessage;

Poco::Net::Context::Ptr tlsContext(const SmtpSettings& s) {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
  Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", s.caFile.string(),
                             Poco::Net::Context::VERIFY_RELAXED, 9, s.caFile.empty(),
                             "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES:@STRENGTH");
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  return context;
}

std::string domainOf(const std::string& address) {
  const auto at = address.rfind('@');
  return at == std::string::npos ? "openmps" : address.substr(at + 1);
}

bool isAscii(const std::string& text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 128) return false;
  }
  return true;
}

void compose(MailMessage& m, const SmtpSettings& s, const Delivery& d,
             std::chrono::system_clock::time_point now) {
  const std::string name = isAscii(s.fromName) ? s.fromName : MailMessage::encodeWord(s.fromName);
  m.setSender(name.empty() ? s.from : name + " <" + s.from + ">");
  m.addRecipient(
      Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, d.recipient));
  m.setSubject(isAscii(d.subject) ? d.subject : MailMessage::encodeWord(d.subject));
  m.setDate(Poco::Timestamp(
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count()));
  // Stable across attempts: a receiver that got it before a crash sees a repeat.
  m.set("Message-ID", "<" + d.messageId + "@" + domainOf(s.from) + ">");
  m.set("Auto-Submitted", "auto-generated");
  m.set("X-OpenMPS-Kind", d.kind);
  if (d.attachments.empty()) {
    m.setContentType("text/plain; charset=UTF-8");
    m.setContent(d.body, MailMessage::ENCODING_QUOTED_PRINTABLE);
    return;
  }
  m.addContent(new Poco::Net::StringPartSource(d.body, "text/plain; charset=UTF-8"),
               MailMessage::ENCODING_QUOTED_PRINTABLE);
  for (const auto& a : d.attachments) {
    m.addAttachment(a.fileName,
                    new Poco::Net::StringPartSource(a.content, a.contentType, a.fileName),
                    MailMessage::ENCODING_BASE64);
  }
}

void greet(Poco::Net::SecureSMTPClientSession& session, const SmtpSettings& s,
           const Poco::Net::Context::Ptr& context) {
  session.setTimeout(Poco::Timespan(static_cast<long>(s.timeout.count()), 0));
  session.login();
  if (s.tls == SmtpTls::kStartTls && !session.startTLS(context)) {
    throw Poco::Net::SMTPException(
        "the server does not offer STARTTLS (mail is never sent in clear)");
  }
  if (!s.user.empty()) {
    session.login(Poco::Net::SMTPClientSession::AUTH_PLAIN, s.user, s.password.reveal());
  } else if (s.tls == SmtpTls::kStartTls) {
    session.login();  // EHLO again over TLS
  }
}

}  // namespace

PocoSmtpSender::PocoSmtpSender(SmtpSettings settings, const util::Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {}

SendResult PocoSmtpSender::send(const Delivery& delivery) {
  const SmtpSettings& s = settings_;
  const std::string where = "smtp " + s.host + ":" + std::to_string(s.port);
  bool sending = false;
  try {
    const auto context = tlsContext(s);
    std::unique_ptr<Poco::Net::SecureSMTPClientSession> session;
    if (s.tls == SmtpTls::kImplicit) {
      Poco::Net::SecureStreamSocket socket(Poco::Net::SocketAddress(s.host, s.port), s.host,
                                           context);
      session = std::make_unique<Poco::Net::SecureSMTPClientSession>(socket);
    } else {
      session = std::make_unique<Poco::Net::SecureSMTPClientSession>(s.host, s.port);
    }
    greet(*session, s, context);
    MailMessage message;
    compose(message, s, delivery, clock_.now());
    sending = true;
    session->sendMessage(message);
    try {
      session->close();
    } catch (const Poco::Exception&) {
      // Accepted already: a failed QUIT changes nothing.
    }
    return {SendStatus::kSent, where + " accepted " + delivery.messageId};
  } catch (const Poco::Net::SMTPException& e) {
    // A 5xx answer to MAIL, RCPT or DATA refuses this very message; 4xx,
    // and anything before (greeting, TLS, AUTH), may pass.
    const bool permanent = sending && e.code() >= 500 && e.code() < 600;
    return {permanent ? SendStatus::kPermanent : SendStatus::kRetry,
            where + ": " + e.displayText()};
  } catch (const Poco::Exception& e) {
    return {SendStatus::kRetry, where + ": " + e.displayText()};
  } catch (const std::exception& e) {
    return {SendStatus::kRetry, where + ": " + e.what()};
  }
}

}  // namespace openmps::server::notify
