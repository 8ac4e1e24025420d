#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "server/mailbox/mailbox.hpp"
#include "shared/util/secret.hpp"

namespace openmps::server::mailbox {

struct ImapSettings {
  // imaps://host[:port] (TLS from the first byte) or imap://host[:port]
  // (STARTTLS, required: credentials never cross the network in clear).
  std::string url;
  std::string user;
  util::Secret password;
  std::string folder = "INBOX";
  std::string quarantineFolder = "Quarantine";
  std::filesystem::path caFile;  // empty: the system's trusted CAs
  std::chrono::seconds connectTimeout{15};
  std::chrono::seconds commandTimeout{120};
};

// The Mailbox seam over IMAP with libcurl. One connection, kept open
// between calls and reopened by libcurl when the server dropped it. Not
// thread-safe: one poller, one instance.
class CurlImapMailbox : public Mailbox {
 public:
  explicit CurlImapMailbox(ImapSettings settings);
  ~CurlImapMailbox() override;
  CurlImapMailbox(const CurlImapMailbox&) = delete;
  CurlImapMailbox& operator=(const CurlImapMailbox&) = delete;

  std::vector<MessageInfo> list(std::size_t max) override;
  std::string fetch(std::uint64_t uid, std::size_t maxBytes) override;
  void remove(std::uint64_t uid) override;
  void quarantine(std::uint64_t uid) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Folder names we accept in configuration: no quoting games in commands.
bool isSafeFolderName(const std::string& name);

}  // namespace openmps::server::mailbox
