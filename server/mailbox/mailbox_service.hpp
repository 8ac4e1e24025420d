#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "server/mailbox/mail_account.hpp"
#include "server/mailbox/mailbox.hpp"
#include "server/mailbox/mailbox_poller.hpp"
#include "shared/envelope/xmlrpc_call.hpp"

namespace openmps::server::mailbox {

// The `mailbox:` section of the server configuration (server/README.md,
// "E-mail carrier").
struct MailboxSettings {
  MailAccount account;
  PollerSettings poller;
  std::chrono::seconds pollInterval{60};
};

// "server.yaml:12:3: mailbox.url: ..." — the file, the line, the field.
class MailboxConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the `mailbox` section from the configuration file's text.
MailboxSettings parseMailboxSettings(const std::string& configText, const std::string& sourceName,
                                     const std::filesystem::path& baseDir);

// What the ingest entry point answers, as the poller needs it: an
// acknowledgement is stored/duplicate, a retryable fault is "not now",
// every other fault a rejection.
IngestOutcome toIngestOutcome(const envelope::SubmitResult& result);

using IngestFunction = std::function<envelope::SubmitResult(std::string_view sealed)>;

// Polls the mailbox on its own thread (IMAP and the ingest both block)
// every pollInterval, and at once after a round that hit its per-round cap.
class MailboxService {
 public:
  // `history` is used on the service's thread only, until stop().
  MailboxService(MailboxSettings settings, IngestFunction ingest, BatchHistory& history);
  ~MailboxService();
  MailboxService(const MailboxService&) = delete;
  MailboxService& operator=(const MailboxService&) = delete;

  void start();
  // Finishes the mail in hand, then returns.
  void stop();

 private:
  void loop();

  MailboxSettings settings_;
  IngestFunction ingest_;
  BatchHistory& history_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace openmps::server::mailbox
