#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "server/mailbox/curl_mail_session.hpp"
#include "server/mailbox/mail_account.hpp"
#include "server/mailbox/mailbox.hpp"

namespace openmps::server::mailbox {

// The Mailbox seam over POP3 with libcurl (pop3s://, or pop3:// with STLS
// required). A round is one POP3 session: list() opens it (UIDL and LIST),
// fetch() and remove() use the message numbers of that session, and
// endRound() ends it with QUIT, which is when the server deletes what was
// marked. A session that breaks off leaves every mail in place: it is read
// again and acknowledged as a duplicate.
//
// POP3 has no folders: quarantine() keeps the mail in the mailbox, skips it
// in later lists of this process, and logs where it is (by its UIDL). After
// a restart such a mail is examined once more and set aside again.
// Not thread-safe: one poller, one instance.
class CurlPop3Mailbox : public Mailbox {
 public:
  explicit CurlPop3Mailbox(MailAccount account);
  CurlPop3Mailbox(const CurlPop3Mailbox&) = delete;
  CurlPop3Mailbox& operator=(const CurlPop3Mailbox&) = delete;

  std::vector<MessageInfo> list(std::size_t max) override;
  std::string fetch(std::uint64_t uid, std::size_t maxBytes) override;
  void remove(std::uint64_t uid) override;
  void quarantine(std::uint64_t uid) override;
  void endRound() override;

 private:
  struct Listed {
    std::uint64_t number = 0;  // in this session
    std::string uidl;
  };
  const Listed& listed(std::uint64_t uid) const;
  // A command on the session list() opened; MailboxError when libcurl had
  // to open another one, whose message numbers may differ.
  std::string inSession(const std::string& path, const std::string& command, std::size_t limit,
                        bool noBody);

  MailAccount account_;
  std::unique_ptr<CurlMailSession> session_;
  // Our ids for UIDLs, stable for the life of the process (MessageInfo::uid).
  std::map<std::string, std::uint64_t> ids_;
  std::uint64_t nextId_ = 1;
  std::map<std::uint64_t, Listed> round_;  // this session's messages by id
  std::set<std::string> kept_;             // UIDLs set aside ("quarantined")
};

// Pure, for the adapter and its tests: "1 abc\r\n2 def\r\n" (UIDL) and
// "1 1200\r\n2 880\r\n" (LIST) as message number → value. Lines that are
// not "<number> <token>" are ignored.
std::map<std::uint64_t, std::string> parsePop3Listing(const std::string& text);

}  // namespace openmps::server::mailbox
