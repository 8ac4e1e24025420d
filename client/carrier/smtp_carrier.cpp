// SMTP with libcurl: it speaks STARTTLS, AUTH (PLAIN/LOGIN/CRAM), dot
// stuffing and timeouts; we only hand it the composed message.
#include "client/carrier/smtp_carrier.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <utility>

#include <curl/curl.h>

#include "client/carrier/smtp_message.hpp"

namespace openmps::client::carrier {

SendStatus classifySmtpFailure(int curlCode, long smtpCode) {
  // libcurl reports a refusal after DATA as CURLE_WEIRD_SERVER_REPLY with
  // the server's code; refusals of MAIL FROM / RCPT TO as CURLE_SEND_ERROR.
  if (curlCode == CURLE_WEIRD_SERVER_REPLY && smtpCode >= 500 && smtpCode < 600) {
    return SendStatus::kPermanent;
  }
  return SendStatus::kRetryable;
}

namespace {

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t readUpload(char* buffer, std::size_t size, std::size_t count, void* userdata) {
  auto* upload = static_cast<Upload*>(userdata);
  const std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

struct CurlHandle {
  CURL* curl = curl_easy_init();
  curl_slist* recipients = nullptr;
  CurlHandle() = default;
  CurlHandle(const CurlHandle&) = delete;
  CurlHandle& operator=(const CurlHandle&) = delete;
  ~CurlHandle() {
    curl_slist_free_all(recipients);
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

std::string bracketed(const std::string& address) {
  return address.starts_with("<") ? address : "<" + address + ">";
}

}  // namespace

SmtpCarrier::SmtpCarrier(SmtpSettings settings) : settings_(std::move(settings)) {
  globalInit();
}

std::string SmtpCarrier::name() const {
  return std::string(settings_.tls == SmtpTls::kImplicit ? "smtps://" : "smtp://") +
         settings_.server + ":" + std::to_string(settings_.port) + " -> " + settings_.to;
}

SendResult SmtpCarrier::send(std::uint64_t clientId, std::uint64_t batchSeq,
                             std::string_view sealed) {
  const SmtpSettings& s = settings_;
  BatchMailFields fields;
  fields.from = s.from;
  fields.to = s.to;
  fields.clientId = clientId;
  fields.batchSeq = batchSeq;
  fields.date = std::chrono::system_clock::now();
  fields.clientVersion = s.clientVersion;
  const std::string message = composeBatchMail(fields, sealed);

  CurlHandle h;
  if (h.curl == nullptr) return {SendStatus::kRetryable, "curl_easy_init failed", false};
  const std::string url = std::string(s.tls == SmtpTls::kImplicit ? "smtps://" : "smtp://") +
                          s.server + ":" + std::to_string(s.port);
  const std::string from = bracketed(s.from);
  h.recipients = curl_slist_append(nullptr, bracketed(s.to).c_str());
  Upload upload{message, 0};
  char error[CURL_ERROR_SIZE] = {0};
  CURL* c = h.curl;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // Never send credentials or fleet data in clear: STARTTLS is a must.
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!s.caFile.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, s.caFile.c_str());
  if (!s.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, s.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, s.password.reveal().c_str());
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, h.recipients);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &readUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(s.connectTimeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>((s.connectTimeout + s.timeout).count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);

  const CURLcode rc = curl_easy_perform(c);
  long smtpCode = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &smtpCode);
  const std::string where = "batch " + std::to_string(clientId) + "/" + std::to_string(batchSeq) +
                            " to " + s.to + " via " + url;
  if (rc == CURLE_OK) {
    return {SendStatus::kStored,
            where + ": accepted by the SMTP server (" + std::to_string(message.size()) +
                " bytes, SMTP " + std::to_string(smtpCode) + ")",
            false};
  }
  std::string why = error[0] != 0 ? std::string(error) : curl_easy_strerror(rc);
  if (smtpCode != 0) why += " (SMTP " + std::to_string(smtpCode) + ")";
  const SendStatus status = classifySmtpFailure(static_cast<int>(rc), smtpCode);
  // A permanent SMTP refusal is about this very mail (size, content), so
  // the outbox sets the batch aside instead of blocking the ones behind it,
  // unless another route of the enrollment takes it.
  SendResult result{status, where + ": " + why, status == SendStatus::kPermanent};
  result.refusedByRoute = result.batchRefused;
  return result;
}

}  // namespace openmps::client::carrier
