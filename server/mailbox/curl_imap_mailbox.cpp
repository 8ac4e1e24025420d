// IMAP through libcurl: UID FETCH/STORE/EXPUNGE/MOVE as custom commands on
// the selected folder, message bodies through ";UID=" URLs.
#include "server/mailbox/curl_imap_mailbox.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <sstream>
#include <utility>

#include <curl/curl.h>

#include "shared/util/args.hpp"

namespace openmps::server::mailbox {

bool isSafeFolderName(const std::string& name) {
  if (name.empty() || name.size() > 100) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-' || c == '/';
  });
}

namespace {

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  std::string data;
  std::size_t limit = 0;
  bool overflow = false;
};

std::size_t writeToSink(char* ptr, std::size_t size, std::size_t count, void* userdata) {
  auto* sink = static_cast<Sink*>(userdata);
  const std::size_t bytes = size * count;
  if (sink->data.size() + bytes > sink->limit) {
    sink->overflow = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  sink->data.append(ptr, bytes);
  return bytes;
}

}  // namespace

struct CurlImapMailbox::Impl {
  ImapSettings settings;
  CURL* curl = nullptr;
  bool quarantineExists = false;

  // One IMAP exchange. `custom` is a command without tag ("UID EXPUNGE 5");
  // empty means "fetch what the URL names". Returns what the server sent
  // (untagged lines of a custom command, the message of a fetch).
  std::string perform(const std::string& path, const std::string& custom, std::size_t limit) {
    Sink sink;
    sink.limit = limit;
    char error[CURL_ERROR_SIZE] = {0};
    std::string url = settings.url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += "/" + path;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, custom.empty() ? nullptr : custom.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &writeToSink);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    const CURLcode rc = curl_easy_perform(curl);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
    if (rc != CURLE_OK) {
      std::string what = custom.empty() ? "fetching " + path : custom;
      if (sink.overflow) {
        throw MailboxError(what + ": answer larger than " + std::to_string(limit) + " bytes");
      }
      throw MailboxError("IMAP " + what + " on " + settings.url + ": " +
                         (error[0] != 0 ? std::string(error) : curl_easy_strerror(rc)));
    }
    return std::move(sink.data);
  }

  // Folder names are restricted to URL-safe characters (isSafeFolderName).
  std::string inbox() const { return settings.folder; }

  void ensureQuarantine() {
    if (quarantineExists) return;
    const std::string listed =
        perform(inbox(), "LIST \"\" \"" + settings.quarantineFolder + "\"", 1u << 16);
    if (listed.find("* LIST") == std::string::npos) {
      perform(inbox(), "CREATE \"" + settings.quarantineFolder + "\"", 1u << 16);
    }
    quarantineExists = true;
  }
};

CurlImapMailbox::CurlImapMailbox(ImapSettings settings) : impl_(std::make_unique<Impl>()) {
  if (!isSafeFolderName(settings.folder) || !isSafeFolderName(settings.quarantineFolder)) {
    throw std::invalid_argument("mailbox folder names may hold letters, digits and . _ - /");
  }
  const bool tls = settings.url.starts_with("imaps://");
  if (!tls && !settings.url.starts_with("imap://")) {
    throw std::invalid_argument("mailbox url must start with imaps:// or imap://");
  }
  globalInit();
  impl_->settings = std::move(settings);
  impl_->curl = curl_easy_init();
  if (impl_->curl == nullptr) throw std::runtime_error("curl_easy_init failed");
  CURL* c = impl_->curl;
  const ImapSettings& s = impl_->settings;
  curl_easy_setopt(c, CURLOPT_USERNAME, s.user.c_str());
  curl_easy_setopt(c, CURLOPT_PASSWORD, s.password.reveal().c_str());
  // Also for imaps:// this is harmless; for imap:// it makes STARTTLS a must.
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!s.caFile.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, s.caFile.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(s.connectTimeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(s.commandTimeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
}

CurlImapMailbox::~CurlImapMailbox() {
  if (impl_ && impl_->curl != nullptr) curl_easy_cleanup(impl_->curl);
}

std::vector<MessageInfo> CurlImapMailbox::list(std::size_t max) {
  // "* 3 FETCH (UID 17 RFC822.SIZE 2048)" per message, fields in any order.
  const std::string answer =
      impl_->perform(impl_->inbox(), "UID FETCH 1:* (UID RFC822.SIZE)", 64u << 20);
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
  return impl_->perform(impl_->inbox() + "/;UID=" + std::to_string(uid), "", maxBytes);
}

void CurlImapMailbox::remove(std::uint64_t uid) {
  const std::string id = std::to_string(uid);
  impl_->perform(impl_->inbox(), "UID STORE " + id + " +FLAGS.SILENT (\\Deleted)", 1u << 16);
  // UID EXPUNGE (RFC 4315) removes only this message, not others that a
  // person may have marked deleted in the same folder.
  impl_->perform(impl_->inbox(), "UID EXPUNGE " + id, 1u << 16);
}

void CurlImapMailbox::quarantine(std::uint64_t uid) {
  impl_->ensureQuarantine();
  // MOVE (RFC 6851) is atomic; Dovecot, Cyrus, Exchange and Gmail have it.
  impl_->perform(
      impl_->inbox(),
      "UID MOVE " + std::to_string(uid) + " \"" + impl_->settings.quarantineFolder + "\"",
      1u << 16);
}

}  // namespace openmps::server::mailbox
