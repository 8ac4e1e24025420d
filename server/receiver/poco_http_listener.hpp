#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "server/receiver/http_handler.hpp"
#include "shared/util/clock.hpp"

// The hardened HTTP(S) listener every port of the server uses (XML-RPC on
// 52004, POST /RPC2 on the web port, the portal and API): Poco's TCPServer
// with a fixed pool of worker threads per listener (a flood of one listener
// never takes another's threads), TLS through NetSSL with the one cipher
// policy (tls_policy.hpp), and the limits below. The handler gets complete
// requests; everything a slow or hostile peer can do to hold a thread is
// bounded here:
// - each connection has one deadline for its whole TLS handshake, one for
//   each whole request (head and body), one for sending each answer, and
//   the wait for the next request on a kept-alive connection is bounded;
//   a watchdog shuts down the socket of a connection past its deadline;
// - connections still in their handshake or their request ("pending") are
//   limited per listener (at most half the worker threads) and per source
//   address, and so are kept-alive connections waiting for their next
//   request (a quarter of the threads; beyond, the answer closes the
//   connection), so the other threads always serve requests that arrived;
// - connections per source address are limited, and beyond the listener's
//   queue new ones are refused at once;
// - requests per source address are rate-limited before any handler runs
//   (no authentication has happened yet, so nothing else is known);
// - bodies over the size limit are refused without being read.
// Cut and refused connections are logged, rate-limited.
namespace openmps::server::receiver {

struct ListenerLimits {
  std::size_t maxRequestBytes = 12u << 20;  // body of one request
  int maxConnections = 256;                 // handled (up to 64 at once) + queued
  int maxConnectionsPerPeer = 16;
  int maxPending = 32;        // in handshake or request; capped at half the threads
  int maxPendingPerPeer = 4;  // also the kept-alive connections one peer may hold
  int maxIdle = 16;           // kept alive, waiting for their next request; capped at half
                              // the threads (each holds one)
  std::chrono::milliseconds handshakeTimeout{10'000};
  std::chrono::milliseconds requestTimeout{30'000};  // whole request; also each whole answer
  std::chrono::milliseconds idleTimeout{15'000};     // kept-alive connection, next request
  int peerRatePerMinute = 600;                       // requests per source address; 0: off
  int peerRateBurst = 120;
};

struct ListenerOptions {
  std::string name;  // in logs ("xmlrpc", "https", "portal")
  std::string host;
  std::uint16_t port = 0;  // 0: any free port (tests)
  bool tls = true;
  std::filesystem::path certificate;  // PEM
  std::filesystem::path key;          // PEM
  ListenerLimits limits;
};

class PocoHttpListener {
 public:
  // handler and clock must outlive the listener.
  PocoHttpListener(ListenerOptions options, HttpHandler& handler, const util::Clock& clock);
  ~PocoHttpListener();
  PocoHttpListener(const PocoHttpListener&) = delete;
  PocoHttpListener& operator=(const PocoHttpListener&) = delete;

  // Binds and starts serving; throws when the address cannot be bound.
  void start();
  // Stops accepting and ends connections that are not in a handler (idle
  // kept-alive ones, unfinished requests); running handlers go on. A server
  // with several listeners closes all of them this way first.
  void stopAccepting();
  // stopAccepting, then waits for the running handlers to finish.
  void stop();
  std::uint16_t port() const;  // the bound port (after start)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::receiver
