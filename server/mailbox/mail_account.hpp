#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "shared/util/secret.hpp"

namespace openmps::server::mailbox {

// The mailbox the server collects batch mails from.
struct MailAccount {
  // imaps:// or pop3s:// (TLS from the first byte), imap:// or pop3://
  // (STARTTLS/STLS, required: credentials never cross the network in
  // clear); host[:port].
  std::string url;
  std::string user;
  util::Secret password;
  // IMAP only: POP3 has one mailbox and no folders.
  std::string folder = "INBOX";
  std::string quarantineFolder = "Quarantine";
  std::filesystem::path caFile;  // empty: the system's trusted CAs
  std::chrono::seconds connectTimeout{15};
  std::chrono::seconds commandTimeout{120};

  bool isPop3() const { return url.starts_with("pop3s://") || url.starts_with("pop3://"); }
  bool isImap() const { return url.starts_with("imaps://") || url.starts_with("imap://"); }
};

// Folder names we accept in configuration: no quoting games in commands.
bool isSafeFolderName(const std::string& name);

}  // namespace openmps::server::mailbox
