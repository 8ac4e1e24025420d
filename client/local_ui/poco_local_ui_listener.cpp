#include "client/local_ui/poco_local_ui_listener.hpp"

#include <istream>
#include <mutex>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>

namespace openmps::client::local_ui {
namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

std::string readBody(std::istream& in, std::size_t limit) {
  std::string body;
  char chunk[4096];
  while (body.size() <= limit && in.read(chunk, sizeof chunk).gcount() > 0) {
    body.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  return body;
}

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(LocalUiApi& api, bool allowRemote) : api_(api), allowRemote_(allowRemote) {}

  void handleRequest(HTTPServerRequest& in, HTTPServerResponse& out) override {
    Request request;
    request.facts.method = in.getMethod();
    request.facts.host = in.has("Host") ? in.get("Host") : "";
    request.facts.peerAddress = in.clientAddress().host().toString();
    request.facts.localAddress = in.serverAddress().host().toString();
    request.facts.allowRemote = allowRemote_;
    const auto length = in.getContentLength64();
    request.facts.contentLength = length > 0 ? static_cast<std::size_t>(length) : 0;
    request.path = Poco::URI(in.getURI()).getPath();
    request.cookieHeader = in.has("Cookie") ? in.get("Cookie") : "";
    request.csrfHeader = in.has(std::string(kCsrfHeader)) ? in.get(std::string(kCsrfHeader)) : "";
    if (request.facts.contentLength <= kMaxBodyBytes && request.facts.method != "GET") {
      request.body = readBody(in.stream(), kMaxBodyBytes);
      // A chunked body has no Content-Length: judge what arrived.
      request.facts.contentLength = std::max(request.facts.contentLength, request.body.size());
    }
    const auto answer = api_.handle(request);
    out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
    out.setContentType(answer.contentType);
    for (const auto& [name, value] : answer.headers) out.add(name, value);
    if (answer.status >= 400) out.setKeepAlive(false);
    out.sendBuffer(answer.body.data(), answer.body.size());
  }

 private:
  LocalUiApi& api_;
  bool allowRemote_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(LocalUiApi& api, bool allowRemote) : api_(api), allowRemote_(allowRemote) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new Handler(api_, allowRemote_);
  }

 private:
  LocalUiApi& api_;
  bool allowRemote_;
};

// Forward secrecy and AEAD only, as the server's listeners.
constexpr const char* kCipherList = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL";

Poco::Net::ServerSocket bind(const ListenOptions& options) {
  const Poco::Net::SocketAddress address(options.host, options.port);
  if (options.tlsCert.empty() || options.tlsKey.empty()) {
    Poco::Net::ServerSocket socket;
    socket.bind(address, true);
    socket.listen(16);
    return socket;
  }
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
  Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, options.tlsKey, options.tlsCert,
                             "", Poco::Net::Context::VERIFY_NONE, 9, false, kCipherList);
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  context->preferServerCiphers();
  return Poco::Net::SecureServerSocket(address, 16, context);
}

}  // namespace

struct PocoLocalUiListener::Impl {
  explicit Impl(const ListenOptions& options) : socket(bind(options)) {}
  Poco::Net::ServerSocket socket;
  std::unique_ptr<Poco::Net::HTTPServer> server;
};

PocoLocalUiListener::PocoLocalUiListener(const ListenOptions& options, LocalUiApi& api)
    : impl_(std::make_unique<Impl>(options)) {
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(4);
  params->setMaxQueued(16);
  params->setTimeout(Poco::Timespan(10, 0));
  params->setKeepAliveTimeout(Poco::Timespan(10, 0));
  params->setMaxKeepAliveRequests(100);
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(api, options.allowRemote),
                                                          impl_->socket, params);
  impl_->server->start();
}

PocoLocalUiListener::~PocoLocalUiListener() {
  impl_->server->stopAll(true);
}

std::uint16_t PocoLocalUiListener::port() const {
  return impl_->socket.address().port();
}

}  // namespace openmps::client::local_ui
