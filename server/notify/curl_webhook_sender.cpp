#include "server/notify/curl_webhook_sender.hpp"

#include <mutex>

#include <curl/curl.h>

namespace openmps::server::notify {
namespace {

constexpr std::size_t kMaxAnswer = std::size_t{64} * 1024;

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t keepAnswer(char* data, std::size_t size, std::size_t count, void* userdata) {
  auto* answer = static_cast<std::string*>(userdata);
  const std::size_t n = size * count;
  if (answer->size() + n > kMaxAnswer) return 0;  // aborts the transfer
  answer->append(data, n);
  return n;
}

struct Easy {
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  Easy() = default;
  Easy(const Easy&) = delete;
  Easy& operator=(const Easy&) = delete;
  ~Easy() {
    curl_slist_free_all(headers);
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

// What a receiver answered, cut to one short line for the log.
std::string excerpt(const std::string& answer) {
  std::string out;
  for (const char c : answer.substr(0, 200)) {
    out += (c == '\r' || c == '\n' || c == '\t') ? ' ' : c;
  }
  return out;
}

}  // namespace

CurlWebhookSender::CurlWebhookSender(WebhookSettings settings) : settings_(std::move(settings)) {
  globalInit();
}

SendResult CurlWebhookSender::post(const std::string& url, const Headers& headers,
                                   const std::string& body) {
  Easy h;
  if (h.curl == nullptr) return {SendStatus::kRetry, "curl_easy_init failed"};
  for (const auto& [name, value] : headers) {
    h.headers = curl_slist_append(h.headers, (name + ": " + value).c_str());
  }
  h.headers = curl_slist_append(h.headers, "Expect:");
  std::string answer;
  char error[CURL_ERROR_SIZE] = {0};
  CURL* c = h.curl;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!settings_.caFile.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, settings_.caFile.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h.headers);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &keepAnswer);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && status >= 200 && status < 300)) {
    return {SendStatus::kRetry,
            "webhook: " + std::string(error[0] != 0 ? error : curl_easy_strerror(rc))};
  }
  if (status >= 200 && status < 300) {
    return {SendStatus::kSent, "webhook answered HTTP " + std::to_string(status)};
  }
  return {SendStatus::kRetry,
          "webhook answered HTTP " + std::to_string(status) + ": " + excerpt(answer)};
}

}  // namespace openmps::server::notify
