#pragma once

#include <cstddef>
#include <string>

#include "server/mailbox/mail_account.hpp"

typedef void CURL;  // NOLINT(modernize-use-using): as <curl/curl.h> declares it

namespace openmps::server::mailbox {

// One libcurl handle for a mailbox account with TLS required and the
// server certificate verified. libcurl keeps the connection open between
// calls; connections() tells whether a call had to open a new one (which
// matters for POP3, whose message numbers hold only within one session).
// Not thread-safe.
class CurlMailSession {
 public:
  // `protocols`: libcurl's list, such as "imap,imaps".
  CurlMailSession(const MailAccount& account, const char* protocols);
  ~CurlMailSession();
  CurlMailSession(const CurlMailSession&) = delete;
  CurlMailSession& operator=(const CurlMailSession&) = delete;

  // One exchange on `path` below the account URL. `custom` is a command
  // (empty: fetch what the path names); with `noBody` only the command's
  // status line is expected (POP3 DELE, RSET). Returns what the server
  // sent, at most `limit` bytes; MailboxError otherwise.
  std::string perform(const std::string& path, const std::string& custom, std::size_t limit,
                      bool noBody = false);
  // New connections the last perform opened (0: it reused the open one).
  long connections() const { return connections_; }
  // Ends the session (POP3: QUIT, which commits its deletions); the next
  // perform opens a new one.
  void close();

 private:
  void open();

  const MailAccount& account_;
  const char* protocols_;
  CURL* curl_ = nullptr;
  long connections_ = 0;
};

}  // namespace openmps::server::mailbox
