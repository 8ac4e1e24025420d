// libcurl does HTTP, TLS, proxies and timeouts; OpenSSL's verify callback
// pins the server certificate to the enrolled fingerprint before a single
// byte of the request leaves, so an impostor never sees the envelope nor
// gets to acknowledge it.
#include "client/carrier/curl_xmlrpc_carrier.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "shared/envelope/enrollment.hpp"
#include "shared/envelope/xmlrpc_call.hpp"

namespace openmps::client::carrier {
namespace {

constexpr std::size_t kMaxAnswerBytes = 1u << 20;
using Fingerprint = std::array<unsigned char, 32>;

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What the verify callback saw during one handshake.
struct PinState {
  Fingerprint expected{};
  bool checked = false;
  bool mismatch = false;
  Fingerprint seen{};
};

int pinIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int verifyPinned(int /*preverifyOk*/, X509_STORE_CTX* store) {
  // Only the server's own certificate is pinned; the chain above it (if
  // any) does not matter, so CA verdicts on it are ignored.
  if (X509_STORE_CTX_get_error_depth(store) != 0) {
    return 1;
  }
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* pin = ssl == nullptr
                  ? nullptr
                  : static_cast<PinState*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), pinIndex()));
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  if (pin == nullptr || cert == nullptr) {
    return 0;
  }
  Fingerprint digest{};
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), digest.data(), &length) != 1 || length != digest.size()) {
    return 0;
  }
  pin->checked = true;
  pin->seen = digest;
  if (digest != pin->expected) {
    pin->mismatch = true;
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
  }
  X509_STORE_CTX_set_error(store, X509_V_OK);
  return 1;
}

CURLcode installPin(CURL* /*curl*/, void* sslCtx, void* userdata) {
  auto* ctx = static_cast<SSL_CTX*>(sslCtx);
  if (SSL_CTX_set_ex_data(ctx, pinIndex(), userdata) != 1) {
    return CURLE_SSL_CERTPROBLEM;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verifyPinned);
  return CURLE_OK;
}

struct Answer {
  std::string body;
  bool tooLarge = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* userdata) {
  auto* answer = static_cast<Answer*>(userdata);
  const std::size_t n = size * count;
  if (answer->body.size() + n > kMaxAnswerBytes) {
    answer->tooLarge = true;
    return 0;  // aborts the transfer
  }
  answer->body.append(data, n);
  return n;
}

bool allZero(const Fingerprint& f) {
  return std::all_of(f.begin(), f.end(), [](unsigned char c) { return c == 0; });
}

SendResult curlFailure(CURLcode code, const char* errorBuffer, const PinState& pin, bool pinned) {
  SendResult r;
  const std::string message = errorBuffer[0] != '\0' ? errorBuffer : curl_easy_strerror(code);
  if (pinned && pin.mismatch) {
    r.status = SendStatus::kPermanent;
    r.detail = "the server's certificate is not the enrolled one: expected SHA-256 " +
               envelope::formatFingerprint(pin.expected) + ", got " +
               envelope::formatFingerprint(pin.seen) +
               " (re-enroll if the server's certificate was replaced on purpose)";
    return r;
  }
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT: r.status = SendStatus::kPermanent; break;
    default: r.status = SendStatus::kRetryable; break;
  }
  r.detail = message;
  return r;
}

// The answer's Date header (RFC 9110: every origin server with a clock
// sends one), or nothing when missing or unreadable.
std::optional<std::chrono::system_clock::time_point> answerDate(CURL* curl) {
  struct curl_header* header = nullptr;
  if (curl_easy_header(curl, "Date", 0, CURLH_HEADER, -1, &header) != CURLHE_OK ||
      header == nullptr) {
    return std::nullopt;
  }
  const time_t at = curl_getdate(header->value, nullptr);
  if (at <= 0) return std::nullopt;
  return std::chrono::system_clock::from_time_t(at);
}

}  // namespace

struct CurlXmlRpcCarrier::Impl {
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  ~Impl() {
    curl_slist_free_all(headers);
    if (curl != nullptr) {
      curl_easy_cleanup(curl);
    }
  }
};

CurlXmlRpcCarrier::CurlXmlRpcCarrier(XmlRpcCarrierSettings settings)
    : settings_(std::move(settings)),
      route_(parseXmlRpcRoute(settings_.server)),
      impl_(std::make_unique<Impl>()) {
  globalInit();
  impl_->curl = curl_easy_init();
  if (impl_->curl == nullptr) {
    throw std::runtime_error("libcurl: cannot create a handle");
  }
  impl_->headers = curl_slist_append(impl_->headers, "Content-Type: text/xml");
  // No "Expect: 100-continue" round trip before every batch.
  impl_->headers = curl_slist_append(impl_->headers, "Expect:");
}

CurlXmlRpcCarrier::~CurlXmlRpcCarrier() = default;

SendResult CurlXmlRpcCarrier::send(std::uint64_t clientId, std::uint64_t batchSeq,
                                   std::string_view sealed) {
  const std::string call = envelope::encodeSubmitCall(sealed);
  CURL* curl = impl_->curl;
  Answer answer;
  PinState pin;
  pin.expected = settings_.fingerprint;
  const bool pinned = route_.tls && !allZero(settings_.fingerprint);
  char errorBuffer[CURL_ERROR_SIZE] = {0};

  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, route_.requestUrl.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, impl_->headers);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.size()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, settings_.userAgent.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(settings_.connectTimeout.count() * 1000));
  curl_easy_setopt(
      curl, CURLOPT_TIMEOUT_MS,
      static_cast<long>((settings_.connectTimeout + settings_.requestTimeout).count() * 1000));
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, route_.tls ? "https" : "http");
  if (route_.proxyAllowed) {
    if (!settings_.proxy.empty()) {
      curl_easy_setopt(curl, CURLOPT_PROXY, settings_.proxy.c_str());
    }
  } else {
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  }
  if (pinned) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    // A resumed TLS session skips certificate verification; every new
    // connection shows its certificate instead.
    curl_easy_setopt(curl, CURLOPT_SSL_SESSIONID_CACHE, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, installPin);
    curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, &pin);
  }

  const CURLcode code = curl_easy_perform(curl);
  if (answer.tooLarge) {
    return {SendStatus::kRetryable,
            "the answer is larger than " + std::to_string(kMaxAnswerBytes) + " bytes", false};
  }
  if (code != CURLE_OK) {
    return curlFailure(code, errorBuffer, pin, pinned);
  }
  if (pinned) {
    long newConnections = 0;
    curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &newConnections);
    // A reused connection was pinned when it was made; a new one must have
    // shown its certificate to the callback.
    if (newConnections > 0 && (!pin.checked || pin.mismatch)) {
      return {SendStatus::kPermanent,
              "the server's certificate could not be checked against the enrolled fingerprint",
              false};
    }
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  auto result = interpretSubmitAnswer(status, answer.body, clientId, batchSeq);
  result.serverTime = answerDate(curl);
  return result;
}

}  // namespace openmps::client::carrier
