#include "server/receiver/poco_http_listener.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <istream>
#include <mutex>
#include <thread>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timestamp.h>
#include <sys/socket.h>

#include "server/receiver/deadline_table.hpp"
#include "server/receiver/peer_gate.hpp"
#include "server/receiver/rate_limiter.hpp"
#include "server/receiver/tls_policy.hpp"
#include "shared/util/log.hpp"
#include "shared/util/log_throttle.hpp"

namespace openmps::server::receiver {
namespace {

using Poco::Net::HTTPResponse;
using Milliseconds = std::chrono::milliseconds;

constexpr std::string_view kLog = "receiver";
constexpr int kMaxThreads = 64;
// How long a connection must have been in its handshake or request before
// a newcomer may take its place on a full listener.
constexpr std::chrono::seconds kEvictAfter{2};

std::string seconds(Milliseconds d) {
  const auto ms = d.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

// Cuts connections whose deadline passed: shutting the socket down makes
// the worker's blocked read or write fail at once, whatever it waits for.
class Watchdog {
 public:
  explicit Watchdog(const util::Clock& clock) : clock_(clock), thread_([this] { loop(); }) {}
  ~Watchdog() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  DeadlineTable::Id add(int fd) {
    const std::lock_guard lock(mutex_);
    return table_.add(fd);
  }
  void arm(DeadlineTable::Id id, Milliseconds within, Phase phase) {
    {
      const std::lock_guard lock(mutex_);
      table_.arm(id, clock_.monotonic(), within, phase);
    }
    changed_.notify_all();
  }
  void disarm(DeadlineTable::Id id) {
    const std::lock_guard lock(mutex_);
    table_.disarm(id);
  }
  // Must run before the socket closes: the fd is never shut down after.
  void remove(DeadlineTable::Id id) {
    const std::lock_guard lock(mutex_);
    table_.remove(id);
  }
  std::optional<DeadlineTable::Cut> cutOf(DeadlineTable::Id id) const {
    const std::lock_guard lock(mutex_);
    return table_.cutOf(id);
  }
  void cutPending() {
    const std::lock_guard lock(mutex_);
    for (const auto& c : table_.cutPending()) ::shutdown(c.fd, SHUT_RDWR);
  }
  bool evictOldest(std::chrono::nanoseconds minAge) {
    const std::lock_guard lock(mutex_);
    const auto cut = table_.evictOldest(clock_.monotonic(), minAge);
    if (cut) ::shutdown(cut->fd, SHUT_RDWR);
    return cut.has_value();
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      for (const auto& c : table_.expire(clock_.monotonic())) ::shutdown(c.fd, SHUT_RDWR);
      const auto next = table_.next();
      const auto wait = next ? std::clamp<std::chrono::nanoseconds>(*next - clock_.monotonic(),
                                                                    std::chrono::milliseconds(1),
                                                                    std::chrono::seconds(1))
                             : std::chrono::nanoseconds(std::chrono::seconds(1));
      changed_.wait_for(lock, wait);
    }
  }

  const util::Clock& clock_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  DeadlineTable table_;
  bool stopping_ = false;
  std::thread thread_;
};

// What every connection of one listener shares.
struct ListenerState {
  ListenerState(ListenerOptions o, HttpHandler& h, const util::Clock& c, int threads)
      : options(std::move(o)),
        handler(h),
        clock(c),
        connections(static_cast<std::size_t>(std::max(options.limits.maxConnections, 1)),
                    static_cast<std::size_t>(std::max(options.limits.maxConnectionsPerPeer, 0))),
        pending(static_cast<std::size_t>(
                    std::clamp(options.limits.maxPending, 1, std::max(1, threads / 2))),
                static_cast<std::size_t>(std::max(options.limits.maxPendingPerPeer, 0))),
        idle(static_cast<std::size_t>(
                 std::clamp(options.limits.maxIdle, 1, std::max(1, threads / 2))),
             static_cast<std::size_t>(std::max(options.limits.maxPendingPerPeer, 0))),
        peerRate(clock, std::max(options.limits.peerRatePerMinute, 1),
                 std::max(options.limits.peerRateBurst, 1)),
        watchdog(clock),
        logThrottle(clock, std::chrono::seconds(60), 20) {}

  // Rate-limited: a peer can make us write these at will.
  template <typename Write>
  void logLimited(Write write) {
    if (const auto skipped = logThrottle.admit()) {
      auto line = util::logWarning(kLog);
      line << options.name << ": ";
      write(line);
      line << util::suppressedNote(*skipped);
    }
  }

  ListenerOptions options;
  HttpHandler& handler;
  const util::Clock& clock;
  Poco::Net::HTTPServerParams::Ptr params;
  PeerGate connections;
  PeerGate pending;
  PeerGate idle;
  RateLimiter peerRate;
  Watchdog watchdog;
  util::LogThrottle logThrottle;
  std::atomic<bool> stopping{false};
};

const char* gateReason(GateAnswer answer) {
  return answer == GateAnswer::kPeerFull ? "limits.max_pending_per_peer"
                                         : "limits.max_pending_connections";
}

HttpRequest toRequest(const Poco::Net::HTTPServerRequest& in, const std::string& peer, bool tls) {
  HttpRequest out;
  out.method = in.getMethod();
  out.target = in.getURI();
  const auto q = out.target.find('?');
  out.path = out.target.substr(0, q);
  if (q != std::string::npos) out.query = out.target.substr(q + 1);
  for (const auto& [name, value] : in) out.headers.emplace_back(name, value);
  out.peer = peer;
  out.tls = tls;
  return out;
}

void send(Poco::Net::HTTPServerResponse& out, const HttpResponse& in) {
  out.setStatus(static_cast<HTTPResponse::HTTPStatus>(in.status));
  out.setContentType(in.contentType);
  // add, not set: a header may repeat (Set-Cookie).
  for (const auto& [name, value] : in.headers) out.add(name, value);
  if (in.closeConnection) out.setKeepAlive(false);
  out.setContentLength(static_cast<std::streamsize>(in.body.size()));
  out.send().write(in.body.data(), static_cast<std::streamsize>(in.body.size()));
}

// One connection on one worker thread: handshake, then requests until the
// peer stops, the listener stops, or a deadline cuts it.
class ListenerConnection : public Poco::Net::TCPServerConnection {
 public:
  ListenerConnection(const Poco::Net::StreamSocket& socket, ListenerState& state, GateSlot held,
                     std::string peer)
      : TCPServerConnection(socket),
        state_(state),
        held_(std::move(held)),
        peer_(std::move(peer)),
        watch_(state.watchdog.add(this->socket().impl()->sockfd())) {}
  ~ListenerConnection() override { state_.watchdog.remove(watch_); }
  ListenerConnection(const ListenerConnection&) = delete;
  ListenerConnection& operator=(const ListenerConnection&) = delete;

  void run() override {
    try {
      serve();
    } catch (const Poco::Exception& e) {
      reportEnd(e.displayText());
    } catch (const std::exception& e) {
      reportEnd(e.what());
    }
    state_.watchdog.remove(watch_);
  }

 private:
  void serve() {
    const auto& limits = state_.options.limits;
    if (!enterPending()) return;
    if (state_.options.tls) {
      state_.watchdog.arm(watch_, limits.handshakeTimeout, Phase::kHandshake);
      if (state_.stopping) return;
      Poco::Net::SecureStreamSocket(socket()).completeHandshake();
    }
    Poco::Net::HTTPServerSession session(socket(), state_.params);
    state_.watchdog.arm(watch_, limits.requestTimeout, Phase::kRequest);
    if (!session.hasMoreRequests()) return;
    while (serveOne(session) && !state_.stopping) {
      // Kept alive: waiting holds a thread too, so it is bounded (idle
      // timeout) and counted (idle gate, taken before the answer went out).
      state_.watchdog.arm(watch_, limits.idleTimeout + limits.requestTimeout, Phase::kIdle);
      if (!session.hasMoreRequests()) return;
      idle_.release();
      if (!enterPending()) return;
      state_.watchdog.arm(watch_, limits.requestTimeout, Phase::kRequest);
    }
  }

  // A place among the connections in their handshake or request. When the
  // listener is full, the one longest in its handshake or request (for at
  // least kEvictAfter) is cut for the newcomer: slow senders then hold
  // places only until enough newcomers arrive, however many addresses they
  // use, while a real request is over in milliseconds.
  bool enterPending() {
    pending_ = GateSlot(state_.pending, peer_);
    if (pending_.answer() == GateAnswer::kListenerFull &&
        state_.watchdog.evictOldest(kEvictAfter)) {
      pending_ = GateSlot::replacing(state_.pending, peer_);
    }
    if (pending_.admitted()) return true;
    const auto answer = pending_.answer();
    state_.logLimited([&](util::LogLine& line) {
      line << "connection from " << peer_ << " closed: "
           << (answer == GateAnswer::kPeerFull ? state_.pending.heldBy(peer_)
                                               : state_.pending.held())
           << " connections already in their handshake or request (" << gateReason(answer) << ")";
    });
    return false;
  }

  // One request and its answer; false when the connection must end.
  bool serveOne(Poco::Net::HTTPServerSession& session) {
    Poco::Net::HTTPServerResponseImpl response(session);
    std::unique_ptr<Poco::Net::HTTPServerRequestImpl> head;
    try {
      head = std::make_unique<Poco::Net::HTTPServerRequestImpl>(response, session, state_.params);
    } catch (const Poco::Net::NoMessageException&) {
      if (state_.watchdog.cutOf(watch_)) throw;
      return false;  // closed between requests
    } catch (const Poco::Net::MessageException& e) {
      if (state_.watchdog.cutOf(watch_)) throw;
      answer(response, badRequest(e.displayText()));
      return false;
    }
    response.setVersion(head->getVersion());
    response.setKeepAlive(head->getKeepAlive() && session.canKeepAlive() && !state_.stopping);
    response.set("Server", "openmps-server");
    // RFC 9110 6.6.1: clients compare it with their own clock (a collector
    // whose clock is off dates its readings wrongly).
    response.setDate(
        Poco::Timestamp::fromEpochTime(std::chrono::system_clock::to_time_t(state_.clock.now())));
    HttpRequest request = toRequest(*head, peer_, state_.options.tls);
    if (const auto refusal = admit(*head, request)) {
      state_.watchdog.disarm(watch_);
      pending_.release();
      answer(response, *refusal);
      return false;
    }
    if (head->getExpectContinue()) response.sendContinue();
    switch (readBody(*head, request.body)) {
      case Body::kComplete: break;
      case Body::kTooLarge:
        state_.watchdog.disarm(watch_);
        pending_.release();
        answer(response, refuse(request, Refusal::kTooLarge, tooLargeMessage()));
        return false;
      case Body::kCut:
        throw Poco::Net::NetException("connection cut while reading the request body");
      case Body::kShort: return false;  // the peer went away mid-body
    }
    state_.watchdog.disarm(watch_);
    pending_.release();
    HttpResponse result;
    try {
      result = state_.handler.handle(request);
    } catch (const std::exception& e) {
      util::logError(kLog) << state_.options.name << ": " << request.method << " " << request.path
                           << " from " << peer_ << " failed: " << e.what();
      result = HttpResponse{500, "text/plain; charset=utf-8", {}, "internal error\n", false};
    }
    // Kept alive only while the peer and the listener have idle places left;
    // otherwise this answer closes the connection (the peer reconnects).
    bool keep = response.getKeepAlive() && !result.closeConnection && !state_.stopping;
    if (keep) {
      idle_ = GateSlot(state_.idle, peer_);
      keep = idle_.admitted();
    }
    response.setKeepAlive(keep);
    answer(response, result);
    session.setKeepAlive(keep);
    return keep;
  }

  // A refusal before the body is read: rate limit, declared size.
  std::optional<HttpResponse> admit(const Poco::Net::HTTPServerRequest& head,
                                    const HttpRequest& request) {
    const auto& limits = state_.options.limits;
    if (limits.peerRatePerMinute > 0 && !state_.peerRate.allow(peer_)) {
      state_.logLimited([&](util::LogLine& line) {
        line << "request from " << peer_ << " refused: over " << limits.peerRatePerMinute
             << " a minute from one address (limits.peer_rate_per_minute)";
      });
      return refuse(request, Refusal::kRateLimited,
                    "rate limited: too many requests from " + peer_ + ", try again later");
    }
    if (head.hasContentLength() && head.getContentLength64() >= 0 &&
        static_cast<std::uint64_t>(head.getContentLength64()) > limits.maxRequestBytes) {
      state_.logLimited([&](util::LogLine& line) {
        line << "request from " << peer_ << " refused: " << head.getContentLength64()
             << " bytes (limits.max_request_bytes " << limits.maxRequestBytes << ")";
      });
      return refuse(request, Refusal::kTooLarge, tooLargeMessage());
    }
    return std::nullopt;
  }

  HttpResponse refuse(const HttpRequest& request, Refusal why, const std::string& message) {
    HttpResponse r = state_.handler.refuse(request, why, message);
    r.closeConnection = true;
    return r;
  }

  std::string tooLargeMessage() const {
    return "request larger than " + std::to_string(state_.options.limits.maxRequestBytes) +
           " bytes";
  }

  static HttpResponse badRequest(const std::string& why) {
    return HttpResponse{400, "text/plain; charset=utf-8", {}, "bad request: " + why + "\n", true};
  }

  enum class Body { kComplete, kTooLarge, kCut, kShort };

  // The limit also holds for a chunked body, which declares no length.
  Body readBody(Poco::Net::HTTPServerRequest& head, std::string& body) const {
    const auto limit = state_.options.limits.maxRequestBytes;
    std::istream& in = head.stream();
    std::array<char, 65536> chunk{};
    while (in) {
      in.read(chunk.data(), chunk.size());
      const auto got = static_cast<std::size_t>(in.gcount());
      if (body.size() + got > limit) return Body::kTooLarge;
      body.append(chunk.data(), got);
    }
    // A failing socket read ends the stream like its end does.
    if (state_.watchdog.cutOf(watch_)) return Body::kCut;
    if (in.bad()) return Body::kShort;
    if (head.hasContentLength() &&
        static_cast<std::uint64_t>(head.getContentLength64()) != body.size()) {
      return Body::kShort;
    }
    return Body::kComplete;
  }

  void answer(Poco::Net::HTTPServerResponseImpl& response, const HttpResponse& result) {
    if (result.closeConnection) response.setKeepAlive(false);
    state_.watchdog.arm(watch_, state_.options.limits.requestTimeout, Phase::kAnswer);
    send(response, result);
    state_.watchdog.disarm(watch_);
  }

  void reportEnd(const std::string& error) {
    const auto cut = state_.watchdog.cutOf(watch_);
    if (!cut) {
      util::logDebug(kLog) << state_.options.name << ": connection from " << peer_
                           << " ended: " << error;
      return;
    }
    if (cut->reason == CutReason::kStopping) return;
    state_.logLimited([&](util::LogLine& line) {
      line << "connection from " << peer_ << " cut: ";
      if (cut->reason == CutReason::kEvicted) {
        line << "longest in its " << toString(cut->phase)
             << " while the listener was full (limits.max_pending_connections)";
      } else {
        line << toString(cut->phase) << " not complete in time (limits."
             << (cut->phase == Phase::kHandshake ? "handshake_timeout"
                 : cut->phase == Phase::kIdle    ? "idle_timeout"
                                                 : "request_timeout")
             << ")";
      }
    });
  }

  ListenerState& state_;
  GateSlot held_;     // this connection in the per-peer count
  GateSlot pending_;  // in the handshake or a request
  GateSlot idle_;     // kept alive, waiting for the next request
  std::string peer_;
  DeadlineTable::Id watch_;
};

// Closes the socket without a word.
class RefusedConnection : public Poco::Net::TCPServerConnection {
 public:
  using TCPServerConnection::TCPServerConnection;
  void run() override {}
};

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  explicit ConnectionFactory(ListenerState& state) : state_(state) {}

  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    std::string peer;
    try {
      peer = socket.peerAddress().host().toString();
    } catch (const Poco::Exception&) {
      return new RefusedConnection(socket);  // gone before it was served
    }
    GateSlot held(state_.connections, peer);
    if (!held.admitted()) {
      state_.logLimited([&](util::LogLine& line) {
        line << "connection from " << peer << " refused: it already holds "
             << state_.options.limits.maxConnectionsPerPeer << " (limits.max_connections_per_peer)";
      });
      return new RefusedConnection(socket);
    }
    return new ListenerConnection(socket, state_, std::move(held), std::move(peer));
  }

 private:
  ListenerState& state_;
};

void initialiseSsl() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

std::unique_ptr<Poco::Net::ServerSocket> bind(const ListenerOptions& o) {
  const Poco::Net::SocketAddress address(o.host, o.port);
  if (!o.tls) return std::make_unique<Poco::Net::ServerSocket>(address, 64);
  initialiseSsl();
  Poco::Net::Context::Ptr context = new Poco::Net::Context(
      Poco::Net::Context::TLS_SERVER_USE, o.key.string(), o.certificate.string(), "",
      Poco::Net::Context::VERIFY_NONE, 9, false, kTls12CipherList);
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  context->preferServerCiphers();
  return std::make_unique<Poco::Net::SecureServerSocket>(address, 64, context);
}

}  // namespace

struct PocoHttpListener::Impl {
  Impl(ListenerOptions o, HttpHandler& h, const util::Clock& c)
      : threads(std::clamp(o.limits.maxConnections, 1, kMaxThreads)),
        state(std::move(o), h, c, threads) {}
  int threads;
  ListenerState state;
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::TCPServer> server;
  std::uint16_t port = 0;
};

PocoHttpListener::PocoHttpListener(ListenerOptions options, HttpHandler& handler,
                                   const util::Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), handler, clock)) {}

PocoHttpListener::~PocoHttpListener() {
  stop();
}

void PocoHttpListener::start() {
  const auto& o = impl_->state.options;
  std::unique_ptr<Poco::Net::ServerSocket> socket = bind(o);
  // Accepted sockets inherit this: the response head and body go out in
  // separate writes, and Nagle plus delayed ACKs would stall each answer.
  socket->setNoDelay(true);
  impl_->port = socket->address().port();
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(impl_->threads);
  params->setMaxQueued(o.limits.maxConnections);
  // Per read and write; the watchdog bounds the whole request and answer.
  params->setTimeout(Poco::Timespan(
      std::chrono::duration_cast<std::chrono::microseconds>(o.limits.requestTimeout).count()));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(
      std::chrono::duration_cast<std::chrono::microseconds>(o.limits.idleTimeout).count()));
  params->setMaxKeepAliveRequests(1000);
  params->setServerName("openmps-server");
  impl_->state.params = params;
  impl_->pool = std::make_unique<Poco::ThreadPool>(2, impl_->threads + 2);
  impl_->server = std::make_unique<Poco::Net::TCPServer>(new ConnectionFactory(impl_->state),
                                                         *impl_->pool, *socket, params);
  impl_->server->start();
  util::logInfo(kLog) << o.name << " listening on " << o.host << ":" << impl_->port
                      << (o.tls ? " (TLS)" : " (plain TCP: tls is off in the configuration)")
                      << "; request deadline " << seconds(o.limits.requestTimeout)
                      << ", handshake deadline " << seconds(o.limits.handshakeTimeout);
}

void PocoHttpListener::stopAccepting() {
  if (!impl_->server) return;
  impl_->state.stopping = true;
  impl_->server->stop();
  impl_->state.watchdog.cutPending();
}

void PocoHttpListener::stop() {
  stopAccepting();
  impl_->server.reset();
  if (impl_->pool) {
    impl_->pool->joinAll();
    impl_->pool.reset();
  }
}

std::uint16_t PocoHttpListener::port() const {
  return impl_->port;
}

}  // namespace openmps::server::receiver
