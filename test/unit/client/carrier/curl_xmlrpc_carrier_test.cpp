// The libcurl carrier against a real TLS server on loopback (OpenSSL in a
// thread of the test, with a certificate made for the run), so the
// fingerprint pin is exercised by real handshakes.
#include "client/carrier/curl_xmlrpc_carrier.hpp"

#include <array>
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shared/envelope/enrollment.hpp"
#include "shared/envelope/fault_codes.hpp"
#include "shared/envelope/xmlrpc_call.hpp"

using namespace openmps;
using namespace openmps::client::carrier;
using namespace std::chrono_literals;

namespace {

using Fingerprint = std::array<unsigned char, 32>;

struct Certificate {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  Fingerprint fingerprint{};
  Certificate() {
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("openmps-test"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    unsigned int length = 0;
    X509_digest(cert, EVP_sha256(), fingerprint.data(), &length);
  }
  ~Certificate() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  Certificate(const Certificate&) = delete;
  Certificate& operator=(const Certificate&) = delete;
};

// Answers each request with respond(envelope) and closes the connection.
class TlsServer {
 public:
  using Responder = std::function<std::pair<int, std::string>(const std::string& envelope)>;

  TlsServer(const Certificate& certificate, Responder respond) : respond_(std::move(respond)) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx_, certificate.cert);
    SSL_CTX_use_PrivateKey(ctx_, certificate.key);
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    REQUIRE(::listen(listener_, 8) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~TlsServer() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
    SSL_CTX_free(ctx_);
  }
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  std::uint16_t port() const { return port_; }
  int requests() const { return requests_; }
  std::vector<std::string> envelopes() {
    std::lock_guard lock(mutex_);
    return envelopes_;
  }

 private:
  void serve() {
    while (!stop_) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) {
        return;
      }
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) == 1) {
        handle(ssl);
      }
      SSL_free(ssl);
      ::close(fd);
    }
  }

  void handle(SSL* ssl) {
    std::string in;
    std::array<char, 16384> buf{};
    std::size_t need = std::string::npos;
    while (need == std::string::npos || in.size() < need) {
      const int n = SSL_read(ssl, buf.data(), static_cast<int>(buf.size()));
      if (n <= 0) {
        return;
      }
      in.append(buf.data(), static_cast<std::size_t>(n));
      const auto end = in.find("\r\n\r\n");
      if (need == std::string::npos && end != std::string::npos) {
        const auto cl = in.find("Content-Length: ");
        need = end + 4 + (cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16)));
      }
    }
    ++requests_;
    const std::string envelope = envelope::decodeSubmitCall(in.substr(in.find("\r\n\r\n") + 4));
    {
      std::lock_guard lock(mutex_);
      envelopes_.push_back(envelope);
    }
    const auto [status, body] = respond_(envelope);
    const std::string out =
        "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: text/xml\r\n" +
        "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    SSL_write(ssl, out.data(), static_cast<int>(out.size()));
    SSL_shutdown(ssl);
  }

  Responder respond_;
  SSL_CTX* ctx_ = nullptr;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  std::vector<std::string> envelopes_;
};

TlsServer::Responder acknowledge(std::uint64_t client, std::uint64_t batch, const char* status) {
  return [=](const std::string&) {
    return std::pair<int, std::string>{200,
                                       envelope::encodeSubmitResponse({status, client, batch, 2})};
  };
}

XmlRpcCarrierSettings settingsFor(const std::string& server, const Fingerprint& fingerprint) {
  XmlRpcCarrierSettings s;
  s.server = server;
  s.fingerprint = fingerprint;
  s.connectTimeout = 5s;
  s.requestTimeout = 10s;
  return s;
}

}  // namespace

TEST_CASE("xmlrpcs: a server with the enrolled certificate gets the exact envelope") {
  Certificate cert;
  TlsServer server(cert, acknowledge(7, 42, "stored"));
  const std::string address = "xmlrpcs://127.0.0.1:" + std::to_string(server.port());
  CurlXmlRpcCarrier carrier(settingsFor(address, cert.fingerprint));
  CHECK(carrier.name() == address);
  const std::string sealed("\x00\x01sealed bytes\xff", 15);
  const SendResult r = carrier.send(7, 42, sealed);
  INFO(r.detail);
  CHECK(r.status == SendStatus::kStored);
  REQUIRE(server.envelopes().size() == 1);
  CHECK(server.envelopes()[0] == sealed);
  // Again on the same carrier (a new connection, pinned again).
  CHECK(carrier.send(7, 42, sealed).status == SendStatus::kStored);
  CHECK(server.requests() == 2);
}

TEST_CASE("https: the same call as a POST to /RPC2, duplicates acknowledged") {
  Certificate cert;
  TlsServer server(cert, acknowledge(7, 42, "duplicate"));
  CurlXmlRpcCarrier carrier(settingsFor(
      "https://127.0.0.1:" + std::to_string(server.port()) + "/RPC2", cert.fingerprint));
  const SendResult r = carrier.send(7, 42, "abc");
  INFO(r.detail);
  CHECK(r.status == SendStatus::kDuplicate);
}

TEST_CASE("a server with another certificate gets nothing and is a clear permanent error") {
  Certificate cert;
  Certificate impostor;
  TlsServer server(impostor, acknowledge(7, 42, "stored"));
  CurlXmlRpcCarrier carrier(
      settingsFor("xmlrpcs://127.0.0.1:" + std::to_string(server.port()), cert.fingerprint));
  const SendResult r = carrier.send(7, 42, "secret batch");
  CHECK(r.status == SendStatus::kPermanent);
  CHECK_FALSE(r.batchRefused);
  CHECK_THAT(r.detail, Catch::Contains("not the enrolled one"));
  CHECK_THAT(r.detail, Catch::Contains(envelope::formatFingerprint(cert.fingerprint)));
  CHECK_THAT(r.detail, Catch::Contains(envelope::formatFingerprint(impostor.fingerprint)));
  CHECK(server.requests() == 0);  // the envelope never left
}

TEST_CASE("without a fingerprint, a self-signed certificate is not trusted") {
  Certificate cert;
  TlsServer server(cert, acknowledge(7, 42, "stored"));
  CurlXmlRpcCarrier carrier(
      settingsFor("xmlrpcs://127.0.0.1:" + std::to_string(server.port()), {}));
  const SendResult r = carrier.send(7, 42, "x");
  CHECK(r.status == SendStatus::kPermanent);
  CHECK(server.requests() == 0);
}

TEST_CASE("faults and HTTP errors from the server are sorted, connection failures retried") {
  Certificate cert;
  int answer = 0;
  TlsServer server(cert, [&answer](const std::string&) -> std::pair<int, std::string> {
    if (answer == 0) {
      return {200,
              envelope::encodeFaultResponse({envelope::kFaultTampered, "seal does not verify"})};
    }
    if (answer == 1) {
      return {200, envelope::encodeFaultResponse({envelope::kFaultUnavailable, "database down"})};
    }
    return {503, "busy"};
  });
  CurlXmlRpcCarrier carrier(
      settingsFor("xmlrpcs://127.0.0.1:" + std::to_string(server.port()), cert.fingerprint));
  SendResult r = carrier.send(7, 42, "x");
  CHECK(r.status == SendStatus::kPermanent);
  CHECK(r.batchRefused);
  CHECK_THAT(r.detail, Catch::Contains("seal does not verify"));
  answer = 1;
  r = carrier.send(7, 42, "x");
  CHECK(r.status == SendStatus::kRetryable);
  CHECK_THAT(r.detail, Catch::Contains("database down"));
  answer = 2;
  CHECK(carrier.send(7, 42, "x").status == SendStatus::kRetryable);

  // A port nobody listens on (the server's, after it stopped).
  const std::uint16_t port = [] {
    Certificate c;
    TlsServer gone(c, acknowledge(1, 1, "stored"));
    return gone.port();
  }();
  CurlXmlRpcCarrier dead(
      settingsFor("xmlrpcs://127.0.0.1:" + std::to_string(port), cert.fingerprint));
  r = dead.send(7, 42, "x");
  CHECK(r.status == SendStatus::kRetryable);
  CHECK_FALSE(r.detail.empty());
}
