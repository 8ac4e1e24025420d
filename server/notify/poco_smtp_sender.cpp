#include "server/notify/poco_smtp_sender.hpp"

#include <csignal>
#include <mutex>
#include <optional>
#include <vector>

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
using Session = Poco::Net::SecureSMTPClientSession;

// How long and for how many messages a session is used again. Mail servers
// wait minutes for the next command (RFC 5321 asks for 5); the RSET before
// each reuse finds one that gave up earlier.
constexpr std::chrono::seconds kKeepIdle{50};
constexpr int kMaxMessagesPerSession = 100;
constexpr std::size_t kMaxIdleSessions = 8;

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

void greet(Session& session, const SmtpSettings& s, const Poco::Net::Context::Ptr& context) {
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

// Writing to a connection the mail server has closed raises SIGPIPE
// (OpenSSL writes with write(2)); blocked on the delivery thread, the write
// fails with EPIPE instead of ending the process. Kept sessions make that
// more likely: a server may drop one while it is idle.
void blockSigpipe() {
  thread_local const bool blocked = [] {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    return pthread_sigmask(SIG_BLOCK, &pipe, nullptr) == 0;
  }();
  (void)blocked;
}

// A session kept for the next message.
struct KeptSession {
  std::unique_ptr<Session> session;
  util::Clock::MonoTime lastUsed;
  int sent = 0;
};

// QUIT, as politely as the connection allows.
void quit(KeptSession& kept) {
  try {
    kept.session->close();
  } catch (const Poco::Exception&) {
    // Gone already: nothing to say goodbye to.
  }
}

// RSET answered with 250: the session is alive and has no transaction open.
bool stillUsable(Session& session) {
  try {
    std::string response;
    return session.sendCommand("RSET", response) == 250;
  } catch (const Poco::Exception&) {
    return false;
  }
}

}  // namespace

struct PocoSmtpSender::Impl {
  Impl(SmtpSettings s, const util::Clock& c) : settings(std::move(s)), clock(c) {}

  ~Impl() {
    blockSigpipe();  // QUIT on sessions the server may have closed
    for (auto& kept : idle) quit(kept);
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  SmtpSettings settings;
  const util::Clock& clock;
  std::mutex mutex;
  Poco::Net::Context::Ptr context;
  std::vector<KeptSession> idle;  // the most recently used last

  Poco::Net::Context::Ptr tls() {
    const std::lock_guard lock(mutex);
    if (context.isNull()) context = tlsContext(settings);
    return context;
  }

  KeptSession open() {
    const auto ctx = tls();
    std::unique_ptr<Session> session;
    if (settings.tls == SmtpTls::kImplicit) {
      Poco::Net::SecureStreamSocket socket(Poco::Net::SocketAddress(settings.host, settings.port),
                                           settings.host, ctx);
      session = std::make_unique<Session>(socket);
    } else {
      session = std::make_unique<Session>(settings.host, settings.port);
    }
    greet(*session, settings, ctx);
    return {std::move(session), clock.monotonic(), 0};
  }

  // The youngest kept session that still answers; sessions idle too long
  // are closed.
  std::optional<KeptSession> reuse() {
    std::vector<KeptSession> stale;
    std::optional<KeptSession> found;
    {
      const std::lock_guard lock(mutex);
      const auto now = clock.monotonic();
      while (!idle.empty() && !found) {
        KeptSession kept = std::move(idle.back());
        idle.pop_back();
        if (now - kept.lastUsed < kKeepIdle) {
          found = std::move(kept);
        } else {
          stale.push_back(std::move(kept));
        }
      }
    }
    for (auto& kept : stale) quit(kept);
    if (found && !stillUsable(*found->session)) {
      quit(*found);
      found.reset();
    }
    return found;
  }

  void keep(KeptSession kept) {
    kept.lastUsed = clock.monotonic();
    if (++kept.sent < kMaxMessagesPerSession) {
      const std::lock_guard lock(mutex);
      if (idle.size() < kMaxIdleSessions) {
        idle.push_back(std::move(kept));
        return;
      }
    }
    quit(kept);
  }
};

PocoSmtpSender::PocoSmtpSender(SmtpSettings settings, const util::Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(settings), clock)) {}

PocoSmtpSender::~PocoSmtpSender() = default;

SendResult PocoSmtpSender::send(const Delivery& delivery) {
  const SmtpSettings& s = impl_->settings;
  const std::string where = "smtp " + s.host + ":" + std::to_string(s.port);
  bool sending = false;
  blockSigpipe();
  try {
    std::optional<KeptSession> kept = impl_->reuse();
    if (!kept) kept = impl_->open();
    MailMessage message;
    compose(message, s, delivery, impl_->clock.now());
    sending = true;
    kept->session->sendMessage(message);
    // Accepted: a session that fails from here on changes nothing for it.
    impl_->keep(std::move(*kept));
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
