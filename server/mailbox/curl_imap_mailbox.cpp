// IMAP through libcurl: UID FETCH/STORE/EXPUNGE/MOVE as custom commands on
// the selected folder, message bodies through ";UID=" URLs.
#include "server/mailbox/curl_imap_mailbox.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "shared/util/args.hpp"

namespace openmps::server::mailbox {

CurlImapMailbox::CurlImapMailbox(MailAccount account) : account_(std::move(account)) {
  if (!isSafeFolderName(account_.folder) || !isSafeFolderName(account_.quarantineFolder)) {
    throw std::invalid_argument("mailbox folder names may hold letters, digits and . _ - /");
  }
  if (!account_.isImap()) {
    throw std::invalid_argument("mailbox url must start with imaps:// or imap://");
  }
  session_ = std::make_unique<CurlMailSession>(account_, "imap,imaps");
}

// Folder names are restricted to URL-safe characters (isSafeFolderName).
std::vector<MessageInfo> CurlImapMailbox::list(std::size_t max) {
  // "* 3 FETCH (UID 17 RFC822.SIZE 2048)" per message, fields in any order.
  const std::string answer =
      session_->perform(account_.folder, "UID FETCH 1:* (UID RFC822.SIZE)", 64u << 20);
  std::vector<MessageInfo> out;
  std::istringstream lines(answer);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with("* ") || line.find(" FETCH ") == std::string::npos) continue;
    std::istringstream words(line.substr(line.find('(') + 1));
    std::string word;
    MessageInfo info;
    bool hasUid = false;
    while (words >> word) {
      std::string value;
      if (word == "UID" && words >> value) {
        while (!value.empty() && value.back() == ')') value.pop_back();
        const auto n = util::parseInt(value);
        if (n && *n > 0) {
          info.uid = static_cast<std::uint64_t>(*n);
          hasUid = true;
        }
      } else if (word == "RFC822.SIZE" && words >> value) {
        while (!value.empty() && value.back() == ')') value.pop_back();
        const auto n = util::parseInt(value);
        if (n && *n >= 0) info.size = static_cast<std::size_t>(*n);
      }
    }
    if (hasUid) out.push_back(info);
  }
  std::sort(out.begin(), out.end(),
            [](const MessageInfo& a, const MessageInfo& b) { return a.uid < b.uid; });
  if (out.size() > max) out.resize(max);
  return out;
}

std::string CurlImapMailbox::fetch(std::uint64_t uid, std::size_t maxBytes) {
  return session_->perform(account_.folder + "/;UID=" + std::to_string(uid), "", maxBytes);
}

void CurlImapMailbox::remove(std::uint64_t uid) {
  const std::string id = std::to_string(uid);
  session_->perform(account_.folder, "UID STORE " + id + " +FLAGS.SILENT (\\Deleted)", 1u << 16);
  // UID EXPUNGE (RFC 4315) removes only this message, not others that a
  // person may have marked deleted in the same folder.
  session_->perform(account_.folder, "UID EXPUNGE " + id, 1u << 16);
}

void CurlImapMailbox::quarantine(std::uint64_t uid) {
  if (!quarantineExists_) {
    const std::string listed = session_->perform(
        account_.folder, "LIST \"\" \"" + account_.quarantineFolder + "\"", 1u << 16);
    if (listed.find("* LIST") == std::string::npos) {
      session_->perform(account_.folder, "CREATE \"" + account_.quarantineFolder + "\"", 1u << 16);
    }
    quarantineExists_ = true;
  }
  // MOVE (RFC 6851) is atomic; Dovecot, Cyrus, Exchange and Gmail have it.
  session_->perform(account_.folder,
                    "UID MOVE " + std::to_string(uid) + " \"" + account_.quarantineFolder + "\"",
                    1u << 16);
}

}  // namespace openmps::server::mailbox
