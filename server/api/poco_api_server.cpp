#include "server/api/poco_api_server.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <istream>
#include <mutex>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/ThreadPool.h>

#include "server/api/problem.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::api {
namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

constexpr std::string_view kLog = "portal";

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

void send(HTTPServerResponse& out, const ApiResponse& r) {
  out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(r.status));
  if (!r.contentType.empty()) out.setContentType(r.contentType);
  out.set("X-Content-Type-Options", "nosniff");
  out.set("Strict-Transport-Security", "max-age=31536000");
  out.set("Referrer-Policy", "no-referrer");
  for (const auto& [name, value] : r.headers) out.add(name, value);
  out.setContentLength(static_cast<std::streamsize>(r.body.size()));
  out.send() << r.body;
}

// Reads the body; false when it is larger than the limit.
bool readBody(HTTPServerRequest& in, std::size_t limit, std::string& body) {
  if (in.hasContentLength() && in.getContentLength64() > static_cast<std::int64_t>(limit)) {
    return false;
  }
  std::istream& stream = in.stream();
  std::array<char, 16384> chunk{};
  while (stream) {
    stream.read(chunk.data(), chunk.size());
    const auto got = static_cast<std::size_t>(stream.gcount());
    if (body.size() + got > limit) return false;
    body.append(chunk.data(), got);
  }
  return true;
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(const ApiListenerOptions& options, const PocoApiServer::HandlerFn& fn)
      : options_(options), fn_(fn) {}

  void handleRequest(HTTPServerRequest& in, HTTPServerResponse& out) override {
    ApiRequest request;
    request.method = in.getMethod();
    request.peer = in.clientAddress().host().toString();
    const std::string& uri = in.getURI();
    const auto q = uri.find('?');
    const auto path = percentDecode(std::string_view(uri).substr(0, q), false);
    if (!path || path->find('\0') != std::string::npos) {
      send(out, problem(400, "bad-path", "the path is not validly percent-encoded"));
      return;
    }
    request.path = *path;
    if (q != std::string::npos) request.query = parseQuery(std::string_view(uri).substr(q + 1));
    for (const auto& [name, value] : in) request.headers[lower(name)] = value;
    if (!readBody(in, options_.maxBodyBytes, request.body)) {
      out.setKeepAlive(false);
      send(out, problem(413, "too-large",
                        "the body is larger than " + std::to_string(options_.maxBodyBytes) +
                            " bytes (portal.max_body_bytes)"));
      return;
    }
    ApiResponse response;
    try {
      response = fn_(request);
    } catch (const std::exception& e) {
      util::logError(kLog) << request.method << " " << request.path << " failed: " << e.what();
      response = problem(500, "internal", "the request failed on the server (see its log)");
    }
    send(out, response);
  }

 private:
  const ApiListenerOptions& options_;
  const PocoApiServer::HandlerFn& fn_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(const ApiListenerOptions& options, const PocoApiServer::HandlerFn& fn)
      : options_(options), fn_(fn) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new Handler(options_, fn_);
  }

 private:
  const ApiListenerOptions& options_;
  const PocoApiServer::HandlerFn& fn_;
};

}  // namespace

struct PocoApiServer::Impl {
  ApiListenerOptions options;
  HandlerFn fn;
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  std::uint16_t port = 0;
};

PocoApiServer::PocoApiServer(ApiListenerOptions options, HandlerFn handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->fn = std::move(handler);
}

PocoApiServer::~PocoApiServer() {
  stop();
}

void PocoApiServer::start() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
  const auto& o = impl_->options;
  // TLS 1.2 and later, forward-secret AEAD suites only.
  Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, o.key.string(),
                             o.certificate.string(), "", Poco::Net::Context::VERIFY_NONE, 9, false,
                             "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!MD5:!RC4:!SHA1");
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress(o.host, o.port), 64, context);
  socket.setNoDelay(true);
  impl_->port = socket.address().port();
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(o.maxThreads);
  params->setMaxQueued(o.maxQueued);
  params->setTimeout(Poco::Timespan(static_cast<long>(o.timeout.count()), 0));
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(1000);
  params->setServerName("openmps-server");
  impl_->pool = std::make_unique<Poco::ThreadPool>(2, o.maxThreads + 2);
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(impl_->options, impl_->fn),
                                                          *impl_->pool, socket, params);
  impl_->server->start();
  util::logInfo(kLog) << "portal and API listening on " << o.host << ":" << impl_->port << " (TLS)";
}

void PocoApiServer::stopAccepting() {
  if (impl_->server) impl_->server->stopAll(false);
}

void PocoApiServer::stop() {
  stopAccepting();
  impl_->server.reset();
  if (impl_->pool) {
    impl_->pool->joinAll();
    impl_->pool.reset();
  }
}

std::uint16_t PocoApiServer::port() const {
  return impl_->port;
}

}  // namespace openmps::server::api
