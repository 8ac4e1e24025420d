#include "server/receiver/poco_rpc_server.hpp"

#include <algorithm>
#include <array>
#include <istream>
#include <mutex>
#include <unordered_map>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include "shared/envelope/fault_codes.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::receiver {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

constexpr std::string_view kLog = "receiver";

void sendText(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
              const std::string& text) {
  response.setStatus(status);
  response.setContentType("text/plain; charset=utf-8");
  response.setContentLength(static_cast<std::streamsize>(text.size()));
  response.send() << text;
}

void sendXml(HTTPServerResponse& response, const std::string& xml) {
  response.setStatus(HTTPResponse::HTTP_OK);
  response.setContentType("text/xml");
  response.setContentLength(static_cast<std::streamsize>(xml.size()));
  response.send() << xml;
}

class RpcHandler : public Poco::Net::HTTPRequestHandler {
 public:
  RpcHandler(const ListenerOptions& options, const RpcDispatcher& dispatcher)
      : options_(options), dispatcher_(dispatcher) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    const std::string peer = request.clientAddress().host().toString();
    const std::string path = Poco::URI(request.getURI()).getPath();
    if (options_.rpc2Only && path != "/RPC2") {
      sendText(response, HTTPResponse::HTTP_NOT_FOUND, "not found\n");
      return;
    }
    if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_POST) {
      response.set("Allow", "POST");
      sendText(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED,
               "XML-RPC: POST an mps.submit call\n");
      return;
    }
    const auto limit = options_.maxRequestBytes;
    if (request.hasContentLength() && request.getContentLength64() >= 0 &&
        static_cast<std::uint64_t>(request.getContentLength64()) > limit) {
      util::logWarning(kLog) << "oversize request via " << options_.name << " from " << peer << ": "
                             << request.getContentLength64() << " bytes";
      // Answer without reading the body; the connection is closed after.
      response.setKeepAlive(false);
      sendXml(response, envelope::encodeFaultResponse(envelope::SubmitFault{
                            envelope::kFaultOversize,
                            "request larger than " + std::to_string(limit) + " bytes"}));
      return;
    }
    std::string body;
    body.reserve(request.hasContentLength()
                     ? static_cast<std::size_t>(std::max<std::int64_t>(
                           0, std::min<std::int64_t>(request.getContentLength64(),
                                                     static_cast<std::int64_t>(limit))))
                     : 4096);
    std::istream& in = request.stream();
    std::array<char, 65536> chunk{};
    while (in) {
      in.read(chunk.data(), chunk.size());
      const auto got = static_cast<std::size_t>(in.gcount());
      if (body.size() + got > limit) {
        util::logWarning(kLog) << "oversize request via " << options_.name << " from " << peer;
        response.setKeepAlive(false);
        sendXml(response, envelope::encodeFaultResponse(envelope::SubmitFault{
                              envelope::kFaultOversize,
                              "request larger than " + std::to_string(limit) + " bytes"}));
        return;
      }
      body.append(chunk.data(), got);
    }
    sendXml(response, dispatcher_.handle(body, options_.name, peer));
  }

 private:
  const ListenerOptions& options_;
  const RpcDispatcher& dispatcher_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(const ListenerOptions& options, const RpcDispatcher& dispatcher)
      : options_(options), dispatcher_(dispatcher) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new RpcHandler(options_, dispatcher_);
  }
  // What Poco's HTTPServer::stopAll does: connections waiting for their next
  // keep-alive request end instead of holding stop() until their timeout.
  void stopConnections(bool abortCurrent) { serverStopped.notify(this, abortCurrent); }

 private:
  const ListenerOptions& options_;
  const RpcDispatcher& dispatcher_;
};

// Connections held per peer address.
class PeerCounter {
 public:
  bool tryEnter(const std::string& peer, int max) {
    std::lock_guard lock(mutex_);
    int& n = held_[peer];
    if (n >= max) {
      if (n == 0) {
        held_.erase(peer);
      }
      return false;
    }
    ++n;
    return true;
  }
  void leave(const std::string& peer) {
    std::lock_guard lock(mutex_);
    const auto it = held_.find(peer);
    if (it != held_.end() && --it->second <= 0) {
      held_.erase(it);
    }
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, int> held_;
};

class CountedConnection : public Poco::Net::HTTPServerConnection {
 public:
  CountedConnection(const Poco::Net::StreamSocket& socket,
                    const Poco::Net::HTTPServerParams::Ptr& params,
                    const Poco::Net::HTTPRequestHandlerFactory::Ptr& factory, PeerCounter& counter,
                    std::string peer)
      : HTTPServerConnection(socket, params, factory), counter_(counter), peer_(std::move(peer)) {}
  ~CountedConnection() override { counter_.leave(peer_); }
  CountedConnection(const CountedConnection&) = delete;
  CountedConnection& operator=(const CountedConnection&) = delete;

 private:
  PeerCounter& counter_;
  std::string peer_;
};

// Closes the socket without a word: the peer already holds its share.
class RefusedConnection : public Poco::Net::TCPServerConnection {
 public:
  using TCPServerConnection::TCPServerConnection;
  void run() override {}
};

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  ConnectionFactory(const ListenerOptions& options, Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers)
      : options_(options), params_(std::move(params)), handlers_(std::move(handlers)) {}

  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    std::string peer;
    try {
      peer = socket.peerAddress().host().toString();
    } catch (const Poco::Exception&) {
      return new RefusedConnection(socket);  // gone before it was served
    }
    if (!counter_.tryEnter(peer, options_.maxConnectionsPerPeer)) {
      util::logWarning(kLog) << options_.name << ": connection from " << peer << " refused: it "
                             << "already holds " << options_.maxConnectionsPerPeer
                             << " (limits.max_connections_per_peer)";
      return new RefusedConnection(socket);
    }
    return new CountedConnection(socket, params_, handlers_, counter_, peer);
  }

 private:
  const ListenerOptions& options_;
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
  PeerCounter counter_;
};

void initialiseSsl() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

}  // namespace

struct PocoRpcServer::Impl {
  ListenerOptions options;
  const RpcDispatcher& dispatcher;
  std::unique_ptr<Poco::ThreadPool> pool;
  Poco::SharedPtr<Factory> handlers;
  std::unique_ptr<Poco::Net::TCPServer> server;
  std::uint16_t port = 0;
};

PocoRpcServer::PocoRpcServer(ListenerOptions options, const RpcDispatcher& dispatcher)
    : impl_(std::make_unique<Impl>(
          Impl{std::move(options), dispatcher, nullptr, nullptr, nullptr, 0})) {}

PocoRpcServer::~PocoRpcServer() {
  stop();
}

void PocoRpcServer::start() {
  auto& o = impl_->options;
  const Poco::Net::SocketAddress address(o.host, o.port);
  std::unique_ptr<Poco::Net::ServerSocket> socket;
  if (o.tls) {
    initialiseSsl();
    Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_SERVER_USE, o.key.string(), o.certificate.string(), "",
        Poco::Net::Context::VERIFY_NONE, 9, false, "HIGH:!aNULL:!MD5:!RC4");
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    socket = std::make_unique<Poco::Net::SecureServerSocket>(address, 64, context);
  } else {
    socket = std::make_unique<Poco::Net::ServerSocket>(address, 64);
  }
  // Accepted sockets inherit this: the response head and body go out in
  // separate writes, and Nagle plus delayed ACKs would stall each answer.
  socket->setNoDelay(true);
  impl_->port = socket->address().port();
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  const int threads = std::clamp(o.maxConnections, 1, 64);
  params->setMaxThreads(threads);
  params->setMaxQueued(o.maxConnections);
  params->setTimeout(Poco::Timespan(static_cast<long>(o.timeout.count()), 0));
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(1000);
  params->setServerName("openmps-server");
  impl_->pool = std::make_unique<Poco::ThreadPool>(2, threads + 2);
  // Poco's HTTPServer is this TCPServer with a plain connection factory; ours
  // also counts connections per peer.
  impl_->handlers = new Factory(impl_->options, impl_->dispatcher);
  impl_->server = std::make_unique<Poco::Net::TCPServer>(
      new ConnectionFactory(impl_->options, params,
                            Poco::Net::HTTPRequestHandlerFactory::Ptr(impl_->handlers)),
      *impl_->pool, *socket, params);
  impl_->server->start();
  util::logInfo(kLog) << o.name << " listening on " << o.host << ":" << impl_->port
                      << (o.tls ? " (TLS)" : " (plain TCP: tls is off in the configuration)");
}

void PocoRpcServer::stopAccepting() {
  // Both calls are idempotent: stop() calls this again.
  if (impl_->server) {
    impl_->server->stop();
    impl_->handlers->stopConnections(false);
  }
}

void PocoRpcServer::stop() {
  stopAccepting();
  impl_->server.reset();
  if (impl_->pool) {
    impl_->pool->joinAll();
    impl_->pool.reset();
  }
}

std::uint16_t PocoRpcServer::port() const {
  return impl_->port;
}

}  // namespace openmps::server::receiver
