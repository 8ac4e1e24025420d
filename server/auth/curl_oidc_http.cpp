#include <memory>
#include <mutex>

#include <curl/curl.h>

#include "server/auth/oidc.hpp"
#include "server/auth/oidc_http.hpp"

namespace openmps::server::auth {
namespace {

struct Sink {
  std::string body;
  std::size_t maxBytes = 0;
  bool overflow = false;
};

std::size_t writeToSink(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t n = size * count;
  if (sink->body.size() + n > sink->maxBytes) {
    sink->overflow = true;
    return 0;  // aborts the transfer
  }
  sink->body.append(data, n);
  return n;
}

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

class CurlOidcHttp final : public OidcHttp {
 public:
  explicit CurlOidcHttp(OidcHttpOptions options) : options_(std::move(options)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  std::string get(const std::string& url) override { return perform(url, nullptr, {}, {}); }

  std::string postForm(const std::string& url, const std::string& body, const std::string& clientId,
                       const util::Secret& secret) override {
    // RFC 6749 2.3.1: id and secret are form-encoded before Basic encoding.
    return perform(url, &body, formEncode(clientId), formEncode(secret.reveal()));
  }

 private:
  std::string perform(const std::string& url, const std::string* form, const std::string& user,
                      const std::string& password) {
    if (!url.starts_with("https://")) throw OidcError(url + ": only https:// is used");
    const std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    if (!curl) throw OidcError("curl_easy_init failed");
    CURL* c = curl.get();
    Sink sink;
    sink.maxBytes = options_.maxBytes;
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!options_.caFile.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.caFile.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &writeToSink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    const std::unique_ptr<curl_slist, CurlFree> headers(
        curl_slist_append(nullptr, "Accept: application/json"));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    if (form != nullptr) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, form->c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(form->size()));
      curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      curl_easy_setopt(c, CURLOPT_USERNAME, user.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
    }
    const CURLcode rc = curl_easy_perform(c);
    if (sink.overflow) {
      throw OidcError(url + ": the answer is larger than " + std::to_string(options_.maxBytes) +
                      " bytes");
    }
    if (rc != CURLE_OK) {
      throw OidcError(url + ": " + (error[0] != '\0' ? error : curl_easy_strerror(rc)));
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
      throw OidcError(url + ": HTTP " + std::to_string(status) + " " + sink.body.substr(0, 200));
    }
    return std::move(sink.body);
  }

  OidcHttpOptions options_;
};

}  // namespace

std::unique_ptr<OidcHttp> makeCurlOidcHttp(OidcHttpOptions options) {
  return std::make_unique<CurlOidcHttp>(std::move(options));
}

}  // namespace openmps::server::auth
