#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "server/receiver/rpc_dispatcher.hpp"

// An HTTP(S) listener (Poco's HTTPServer, TLS through NetSSL) that carries
// XML-RPC POSTs to an RpcDispatcher. The XML-RPC port answers POST on any
// path; the web port answers POST /RPC2 (and will host the portal).
namespace openmps::server::receiver {

struct ListenerOptions {
  std::string name;  // "xmlrpc" or "https": carrier name in logs and the ingest log
  std::string host;
  std::uint16_t port = 0;  // 0: any free port (tests)
  bool tls = true;
  std::filesystem::path certificate;
  std::filesystem::path key;
  bool rpc2Only = false;  // only POST /RPC2 reaches the dispatcher
  std::size_t maxRequestBytes = 12u << 20;
  int maxConnections = 256;
  // Connections one peer address may hold at once; more are closed at once,
  // so a few idle sockets from one host cannot take every worker until
  // their timeout.
  int maxConnectionsPerPeer = 16;
  std::chrono::seconds timeout{30};
};

class PocoRpcServer {
 public:
  PocoRpcServer(ListenerOptions options, const RpcDispatcher& dispatcher);
  ~PocoRpcServer();
  PocoRpcServer(const PocoRpcServer&) = delete;
  PocoRpcServer& operator=(const PocoRpcServer&) = delete;

  void start();
  // Stops accepting and ends idle keep-alive connections; running requests
  // go on. A server with several listeners closes all of them this way
  // first, so a client cannot move to another listener while one drains.
  void stopAccepting();
  // stopAccepting, then waits for the running requests to finish.
  void stop();
  std::uint16_t port() const;  // the bound port (after start)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::receiver
