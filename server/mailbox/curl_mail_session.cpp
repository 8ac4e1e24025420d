#include "server/mailbox/curl_mail_session.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>
#include <utility>

#include <curl/curl.h>

#include "server/mailbox/mailbox.hpp"

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

CurlMailSession::CurlMailSession(const MailAccount& account, const char* protocols)
    : account_(account), protocols_(protocols) {
  globalInit();
  open();
}

CurlMailSession::~CurlMailSession() {
  if (curl_ != nullptr) curl_easy_cleanup(curl_);
}

void CurlMailSession::open() {
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
  CURL* c = curl_;
  const MailAccount& a = account_;
  curl_easy_setopt(c, CURLOPT_USERNAME, a.user.c_str());
  curl_easy_setopt(c, CURLOPT_PASSWORD, a.password.reveal().c_str());
  // Harmless for imaps:// and pop3s://; for imap:// and pop3:// it makes
  // STARTTLS (STLS) a must.
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!a.caFile.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, a.caFile.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(a.connectTimeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(a.commandTimeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols_);
}

void CurlMailSession::close() {
  if (curl_ != nullptr) curl_easy_cleanup(curl_);
  curl_ = nullptr;
  open();
}

std::string CurlMailSession::perform(const std::string& path, const std::string& custom,
                                     std::size_t limit, bool noBody) {
  Sink sink;
  sink.limit = limit;
  char error[CURL_ERROR_SIZE] = {0};
  std::string url = account_.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/" + path;
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, custom.empty() ? nullptr : custom.c_str());
  curl_easy_setopt(curl_, CURLOPT_NOBODY, noBody ? 1L : 0L);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &writeToSink);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(curl_);
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, nullptr);
  connections_ = 0;
  curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &connections_);
  if (rc != CURLE_OK) {
    const std::string what = custom.empty() ? "fetching " + path : custom;
    if (sink.overflow) {
      throw MailboxError(what + ": answer larger than " + std::to_string(limit) + " bytes");
    }
    throw MailboxError(what + " on " + account_.url + ": " +
                       (error[0] != 0 ? std::string(error) : curl_easy_strerror(rc)));
  }
  return std::move(sink.data);
}

}  // namespace openmps::server::mailbox
