#pragma once

#include <memory>

#include "server/mailbox/curl_mail_session.hpp"
#include "server/mailbox/mail_account.hpp"
#include "server/mailbox/mailbox.hpp"

namespace openmps::server::mailbox {

// The Mailbox seam over IMAP with libcurl. One connection, kept open
// between calls and reopened by libcurl when the server dropped it. Not
// thread-safe: one poller, one instance.
class CurlImapMailbox : public Mailbox {
 public:
  explicit CurlImapMailbox(MailAccount account);
  CurlImapMailbox(const CurlImapMailbox&) = delete;
  CurlImapMailbox& operator=(const CurlImapMailbox&) = delete;

  std::vector<MessageInfo> list(std::size_t max) override;
  std::string fetch(std::uint64_t uid, std::size_t maxBytes) override;
  void remove(std::uint64_t uid) override;
  void quarantine(std::uint64_t uid) override;

 private:
  MailAccount account_;
  std::unique_ptr<CurlMailSession> session_;
  bool quarantineExists_ = false;
};

}  // namespace openmps::server::mailbox
