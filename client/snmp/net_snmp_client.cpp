#include "client/snmp/net_snmp_client.hpp"

// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
// clang-format on

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "client/snmp/get_plan.hpp"
#include "client/snmp/multi_walk_state.hpp"
#include "client/snmp/net_snmp_convert.hpp"
#include "client/snmp/report_errors.hpp"
#include "client/snmp/walk_state.hpp"
#include "shared/util/log.hpp"

namespace openmps::client::snmp {

namespace {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
using openmps::snmp::ValueType;

constexpr const char* kLog = "snmp";
constexpr long kTooBig = SNMP_ERR_TOOBIG;
constexpr long kNoSuchName = SNMP_ERR_NOSUCHNAME;
constexpr long kGenErr = SNMP_ERR_GENERR;
constexpr std::size_t kMaxGetBatch = 512;

// net-snmp's USM user table and engine-time cache are process-wide.
std::mutex& netSnmpMutex() {
  static std::mutex m;
  return m;
}

// net-snmp's own messages go through our log: without a handler it writes
// to stderr itself (on a new machine "Created directory: /var/lib/snmp/
// cert_indexes", from the certificate index it loads unconditionally), and
// that is noise on the stderr of `probe` and `scan`. Warnings and errors
// stay visible; the rest is debug.
int logNetSnmpMessage(int /*major*/, int /*minor*/, void* serverArg, void* /*clientArg*/) {
  const auto* message = static_cast<const snmp_log_message*>(serverArg);
  if (message == nullptr || message->msg == nullptr) return 0;
  std::string_view text(message->msg);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (text.empty()) return 0;
  if (message->priority <= LOG_WARNING) {
    util::logWarning(kLog) << "net-snmp: " << text;
  } else {
    util::logDebug(kLog) << "net-snmp: " << text;
  }
  return 0;
}

void initNetSnmpOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    snmp_disable_log();
    netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG);
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, &logNetSnmpMessage,
                           nullptr);
    // No MIB files, no configuration or persistent files of the user or the
    // host: the client's behaviour must not depend on ~/.snmp/snmp.conf.
    setenv("MIBS", "", 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_LOAD_HOST_FILES, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_NO_TOKEN_WARNINGS, 1);
    init_snmp("openmps");
  });
}

void raiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

std::vector<oid> toNetSnmp(const Oid& o) {
  return {o.arcs().begin(), o.arcs().end()};
}

bool askable(const Oid& o) {
  return o.size() >= 2 && o.size() <= MAX_OID_LEN;
}

// GET and GETNEXT requests that need no PDU: an OID net-snmp cannot encode
// fails the request, an empty one succeeds with nothing. Answers done and
// returns true in those cases.
bool answeredUpFront(const Target& target, const std::vector<Oid>& oids,
                     const SnmpClient::Callback& done) {
  for (const auto& o : oids) {
    if (!askable(o)) {
      done(Result{ErrorKind::kBadResponse,
                  describeFailure(target, ErrorKind::kBadResponse,
                                  "cannot ask for the OID \"" + o.toString() + "\""),
                  {}});
      return true;
    }
  }
  if (oids.empty()) {
    done(Result{});
    return true;
  }
  return false;
}

struct AuthProto {
  const oid* id;
  std::size_t length;
};

AuthProto authProto(AuthProtocol p) {
  switch (p) {
    case AuthProtocol::kNone: return {usmNoAuthProtocol, OID_LENGTH(usmNoAuthProtocol)};
    case AuthProtocol::kMd5: return {usmHMACMD5AuthProtocol, OID_LENGTH(usmHMACMD5AuthProtocol)};
    case AuthProtocol::kSha1: return {usmHMACSHA1AuthProtocol, OID_LENGTH(usmHMACSHA1AuthProtocol)};
    case AuthProtocol::kSha224:
      return {usmHMAC128SHA224AuthProtocol, OID_LENGTH(usmHMAC128SHA224AuthProtocol)};
    case AuthProtocol::kSha256:
      return {usmHMAC192SHA256AuthProtocol, OID_LENGTH(usmHMAC192SHA256AuthProtocol)};
    case AuthProtocol::kSha384:
      return {usmHMAC256SHA384AuthProtocol, OID_LENGTH(usmHMAC256SHA384AuthProtocol)};
    case AuthProtocol::kSha512:
      return {usmHMAC384SHA512AuthProtocol, OID_LENGTH(usmHMAC384SHA512AuthProtocol)};
  }
  return {usmNoAuthProtocol, OID_LENGTH(usmNoAuthProtocol)};
}

AuthProto privProto(PrivProtocol p) {
  switch (p) {
    case PrivProtocol::kNone: return {usmNoPrivProtocol, OID_LENGTH(usmNoPrivProtocol)};
    case PrivProtocol::kDes: return {usmDESPrivProtocol, OID_LENGTH(usmDESPrivProtocol)};
    case PrivProtocol::kAes128: return {usmAESPrivProtocol, OID_LENGTH(usmAESPrivProtocol)};
    case PrivProtocol::kAes192: return {usmAES192PrivProtocol, OID_LENGTH(usmAES192PrivProtocol)};
    case PrivProtocol::kAes256: return {usmAES256PrivProtocol, OID_LENGTH(usmAES256PrivProtocol)};
  }
  return {usmNoPrivProtocol, OID_LENGTH(usmNoPrivProtocol)};
}

// Everything that makes two sessions different. Holds secrets: memory only.
std::string sessionKey(const Target& t) {
  const auto& c = t.credentials;
  std::string key = t.toString();
  key += '|' + std::to_string(static_cast<int>(c.version));
  key += '|' + std::to_string(t.timeout.count()) + '|' + std::to_string(t.retries);
  if (c.version == Version::kV3) {
    key += '|' + c.user + '|' + std::to_string(static_cast<int>(c.authProtocol)) + '|' +
           c.authPassword.reveal() + '|' + std::to_string(static_cast<int>(c.privProtocol)) + '|' +
           c.privPassword.reveal() + '|' + c.context;
  } else {
    key += '|' + c.community.reveal();
  }
  return key;
}

std::string keyFingerprint(const Credentials& c) {
  return std::to_string(static_cast<int>(c.authProtocol)) + '|' + c.authPassword.reveal() + '|' +
         std::to_string(static_cast<int>(c.privProtocol)) + '|' + c.privPassword.reveal();
}

}  // namespace

struct NetSnmpClient::Impl {
  struct Session;

  struct Op {
    enum class Kind { kGet, kGetNext, kWalk, kWalkMany, kProbe };
    Kind kind = Kind::kGet;
    Target target;
    Callback done;
    std::optional<GetPlan> plan;
    std::vector<Oid> nextOids;           // getNext: still to ask
    std::vector<std::size_t> nextIndex;  // their positions in nextResults
    std::vector<std::optional<VarBind>> nextResults;
    std::optional<WalkState> walk;
    // walkMany: shared with the completion, which turns it into one Result per root.
    std::shared_ptr<MultiWalkState> multi;
    MultiWalkState::Request multiRequest;
    int maxRepetitions = 25;
    Session* session = nullptr;
    // The PDU on the wire.
    bool onWire = false;
    long reqid = 0;
    long msgid = 0;
    std::multimap<TimePoint, Op*>::iterator deadline;
    int notInTimeResends = 0;
    // After a v3 timeout: 1 = asking the default context, 2 = asking without privacy.
    int diagnosis = 0;
    std::string timeoutMessage;
    bool admitted = false;
  };

  struct Session {
    std::string key;
    Target target;
    void* sessp = nullptr;
    int fd = -1;
    enum class State { kDiscovering, kBlocked, kReady } state = State::kReady;
    std::vector<Op*> waiting;  // until the v3 engine is known
    std::size_t ops = 0;
    std::size_t onWire = 0;
    TimePoint idleSince{};
    TimePoint nextCheck = TimePoint::max();
    std::string usmKey;
    std::string engineId;
    Op* probe = nullptr;
    bool probed = false;
    bool closing = false;
  };

  struct Event {
    Session* session = nullptr;
    int operation = 0;
    long reqid = 0;
    long msgid = 0;
    int command = 0;
    long errstat = 0;
    long errindex = 0;
    std::vector<VarBind> varbinds;
  };

  struct UsmEntry {
    std::string fingerprint;
    int sessions = 0;
  };

  Options options;
  std::thread thread;
  int epollFd = -1;
  int wakeFd = -1;

  std::mutex inboxMutex;
  std::vector<std::unique_ptr<Op>> inbox;
  bool stopping = false;

  // Owned by the I/O thread from here on.
  std::unordered_map<Op*, std::unique_ptr<Op>> ops;
  std::deque<Op*> queue;  // admitted in order when a slot frees
  std::size_t inFlight = 0;
  std::unordered_map<std::string, std::unique_ptr<Session>> sessions;
  std::unordered_set<const Session*> live;
  std::unordered_map<long, Op*> byReqId;
  std::unordered_map<long, Op*> byMsgId;
  std::multimap<TimePoint, Op*> deadlines;
  std::vector<Event> events;
  bool ignoreEvents = false;
  std::vector<std::pair<Callback, Result>> completions;
  std::map<std::string, UsmEntry> usm;
  std::map<std::string, std::vector<u_char>> kuCache;
  netsnmp_large_fd_set fdSet{};
  int fdSetSize = 0;

  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> responses{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> varbindsReceived{0};

  explicit Impl(Options o) : options(o) {
    initNetSnmpOnce();
    raiseFileLimit();
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    fdSetSize = static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 1U << 20U));
    netsnmp_large_fd_set_init(&fdSet, fdSetSize);
    epollFd = epoll_create1(EPOLL_CLOEXEC);
    wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epollFd < 0 || wakeFd < 0) {
      throw std::runtime_error(std::string("snmp: cannot create the event loop: ") +
                               std::strerror(errno));
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    epoll_ctl(epollFd, EPOLL_CTL_ADD, wakeFd, &ev);
    thread = std::thread([this] { run(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(inboxMutex);
      stopping = true;
    }
    wake();
    if (thread.joinable()) {
      thread.join();
    }
    close(wakeFd);
    close(epollFd);
    netsnmp_large_fd_set_cleanup(&fdSet);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void wake() const {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(wakeFd, &one, sizeof one);
  }

  void post(std::unique_ptr<Op> op) {
    {
      std::lock_guard lock(inboxMutex);
      if (!stopping) {
        inbox.push_back(std::move(op));
        op = nullptr;
      }
    }
    if (op) {  // the client is shutting down
      Result r{
          ErrorKind::kCancelled,
          describeFailure(op->target, ErrorKind::kCancelled, "the SNMP client is shutting down"),
          {}};
      op->done(std::move(r));
      return;
    }
    wake();
  }

  // ---- the loop ------------------------------------------------------------
  void run() {
    current() = this;
    std::vector<epoll_event> ready(256);
    for (;;) {
      std::vector<std::unique_ptr<Op>> incoming;
      bool stop = false;
      {
        std::lock_guard lock(inboxMutex);
        incoming.swap(inbox);
        stop = stopping;
      }
      {
        std::lock_guard lock(netSnmpMutex());
        for (auto& op : incoming) {
          Op* raw = op.get();
          ops.emplace(raw, std::move(op));
          queue.push_back(raw);
        }
        if (stop) {
          cancelAll();
        } else {
          admit();
          onTimers(SteadyClock::now());
        }
      }
      runCompletions();
      if (stop) {
        return;
      }
      const int waitMs = millisecondsUntilNextTimer();
      const int n = epoll_wait(epollFd, ready.data(), static_cast<int>(ready.size()), waitMs);
      {
        std::lock_guard lock(netSnmpMutex());
        for (int i = 0; i < n; ++i) {
          auto* s = static_cast<Session*>(ready[static_cast<std::size_t>(i)].data.ptr);
          if (s == nullptr) {
            std::uint64_t count = 0;
            [[maybe_unused]] auto r = read(wakeFd, &count, sizeof count);
            continue;
          }
          if (!stillOpen(s)) {
            continue;
          }
          NETSNMP_LARGE_FD_ZERO(&fdSet);
          NETSNMP_LARGE_FD_SET(s->fd, &fdSet);
          snmp_sess_read2(s->sessp, &fdSet);
          processEvents();
          if (stillOpen(s)) {
            updateNextCheck(*s);
          }
        }
        admit();
      }
      runCompletions();
    }
  }

  bool stillOpen(const Session* s) const {
    // Sessions close during a loop pass; a stale pointer must not be used.
    return live.contains(s);
  }

  int millisecondsUntilNextTimer() {
    auto next = TimePoint::max();
    if (!deadlines.empty()) {
      next = deadlines.begin()->first;
    }
    for (auto& [key, s] : sessions) {
      next = std::min(next, s->nextCheck);
      if (s->ops == 0) {
        next = std::min(next, s->idleSince + options.sessionIdle);
      }
    }
    if (next == TimePoint::max()) {
      return 1000;
    }
    const auto now = SteadyClock::now();
    if (next <= now) {
      return 0;
    }
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
    return static_cast<int>(std::min<long long>(ms, 1000));
  }

  void onTimers(TimePoint now) {
    std::vector<Session*> due;
    for (auto& [key, s] : sessions) {
      if (s->nextCheck <= now) {
        due.push_back(s.get());
      }
    }
    for (Session* s : due) {
      if (!stillOpen(s)) {
        continue;
      }
      snmp_sess_timeout(s->sessp);
      processEvents();
      if (stillOpen(s)) {
        updateNextCheck(*s);
      }
    }
    // Our own deadline catches what net-snmp drops without a callback.
    while (!deadlines.empty() && deadlines.begin()->first <= now) {
      Op* op = deadlines.begin()->second;
      takeOffWire(op);
      onTimeout(op);
    }
    std::vector<Session*> idle;
    for (auto& [key, s] : sessions) {
      if (s->ops == 0 &&
          (s->idleSince + options.sessionIdle <= now || sessions.size() > options.maxSessions)) {
        idle.push_back(s.get());
      }
    }
    for (Session* s : idle) {
      closeSession(s);
    }
    admit();
  }

  void updateNextCheck(Session& s) {
    s.nextCheck = TimePoint::max();
    if (s.onWire == 0 && s.state != Session::State::kDiscovering) {
      return;
    }
    int numfds = 0;
    int block = 1;
    timeval tv{0, 0};
    NETSNMP_LARGE_FD_ZERO(&fdSet);
    snmp_sess_select_info2_flags(s.sessp, &numfds, &fdSet, &tv, &block, NETSNMP_SELECT_NOALARMS);
    if (block == 0) {
      s.nextCheck = SteadyClock::now() + std::chrono::seconds(tv.tv_sec) +
                    std::chrono::microseconds(tv.tv_usec);
    }
  }

  void runCompletions() {
    std::vector<std::pair<Callback, Result>> batch;
    batch.swap(completions);
    for (auto& [callback, result] : batch) {
      try {
        callback(std::move(result));
      } catch (const std::exception& e) {
        util::logError(kLog) << "an SNMP callback threw: " << e.what();
      } catch (...) {
        util::logError(kLog) << "an SNMP callback threw";
      }
    }
  }

  // ---- operations ------------------------------------------------------------
  void admit() {
    while (!queue.empty() && inFlight < options.maxInFlight) {
      Op* op = queue.front();
      queue.pop_front();
      op->admitted = true;
      ++inFlight;
      start(op);
    }
  }

  void start(Op* op) {
    Session* s = sessionFor(op);
    if (s == nullptr) {
      return;  // finished with an error already
    }
    op->session = s;
    ++s->ops;
    if (s->state == Session::State::kReady) {
      issue(op);
      return;
    }
    s->waiting.push_back(op);
    if (s->state == Session::State::kDiscovering && s->probe == nullptr && !s->probed) {
      s->probed = true;
      startProbe(s);  // may fail the session, and op with it, at once
    }
  }

  void finish(Op* op, ErrorKind kind, const std::string& detail, std::vector<VarBind> varbinds) {
    takeOffWire(op);
    Result r;
    r.error = kind;
    r.varbinds = std::move(varbinds);
    if (kind != ErrorKind::kNone) {
      r.message = describeFailure(op->target, kind, detail);
    }
    if (kind == ErrorKind::kTimeout) {
      ++timeouts;
    }
    Session* s = op->session;
    if (s != nullptr) {
      std::erase(s->waiting, op);
      --s->ops;
      if (s->ops == 0) {
        s->idleSince = SteadyClock::now();
      }
    }
    if (op->admitted) {
      --inFlight;
    } else {
      std::erase(queue, op);
    }
    if (op->done) {
      completions.emplace_back(std::move(op->done), std::move(r));
    }
    ops.erase(op);
    // A device that did not answer or refused us is not worth a socket.
    if (s != nullptr && stillOpen(s) && !s->closing && s->ops == 0 && kind != ErrorKind::kNone) {
      closeSession(s);
    }
  }

  void finishOk(Op* op, std::vector<VarBind> varbinds) {
    finish(op, ErrorKind::kNone, {}, std::move(varbinds));
  }

  void cancelAll() {
    std::vector<Op*> all;
    for (auto& [raw, owned] : ops) {
      if (raw->kind != Op::Kind::kProbe) {
        all.push_back(raw);
      }
    }
    for (Op* op : all) {
      finish(op, ErrorKind::kCancelled, "the SNMP client is shutting down", {});
    }
    while (!sessions.empty()) {
      closeSession(sessions.begin()->second.get());
    }
    ops.clear();
  }

  // ---- sessions ------------------------------------------------------------------
  Session* sessionFor(Op* op) {
    const std::string key = sessionKey(op->target);
    if (auto it = sessions.find(key); it != sessions.end()) {
      return it->second.get();
    }
    auto s = std::make_unique<Session>();
    s->key = key;
    s->target = op->target;
    std::string error;
    if (!open(*s, error)) {
      finish(op, ErrorKind::kNetwork, error, {});
      return nullptr;
    }
    Session* raw = s.get();
    live.insert(raw);
    sessions.emplace(key, std::move(s));
    if (raw->target.credentials.version == Version::kV3) {
      raw->state = Session::State::kDiscovering;
    }
    return raw;
  }

  bool kuFor(const AuthProto& hash, const util::Secret& password, u_char* out, size_t* outLength,
             std::string& error) {
    const std::string cacheKey =
        std::to_string(reinterpret_cast<std::uintptr_t>(hash.id)) + '|' + password.reveal();
    if (auto it = kuCache.find(cacheKey); it != kuCache.end()) {
      std::copy(it->second.begin(), it->second.end(), out);
      *outLength = it->second.size();
      return true;
    }
    if (password.reveal().size() < 8) {
      error = "SNMPv3 passwords must have at least 8 characters";
      return false;
    }
    // Key derivation hashes a megabyte: done once per password, not per device.
    *outLength = USM_AUTH_KU_LEN;
    if (generate_Ku(hash.id, static_cast<u_int>(hash.length),
                    reinterpret_cast<const u_char*>(password.reveal().data()),
                    password.reveal().size(), out, outLength) != SNMPERR_SUCCESS) {
      error = "cannot derive an SNMPv3 key from the password";
      return false;
    }
    kuCache.emplace(cacheKey, std::vector<u_char>(out, out + *outLength));
    return true;
  }

  bool open(Session& s, std::string& error) {
    const auto& t = s.target;
    const auto& c = t.credentials;
    netsnmp_session in;
    snmp_sess_init(&in);
    std::string peer = (t.host.find(':') != std::string::npos ? "udp6:" : "udp:") + t.toString();
    in.peername = peer.data();
    in.timeout =
        static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(t.timeout).count());
    in.retries = std::max(0, t.retries);
    in.callback = &Impl::onPdu;
    in.callback_magic = &s;
    std::string community = c.community.reveal();
    std::string user = c.user;
    std::string context = c.context;
    switch (c.version) {
      case Version::kV1: in.version = SNMP_VERSION_1; break;
      case Version::kV2c: in.version = SNMP_VERSION_2c; break;
      case Version::kV3: in.version = SNMP_VERSION_3; break;
    }
    if (c.version != Version::kV3) {
      in.community = reinterpret_cast<u_char*>(community.data());
      in.community_len = community.size();
    } else {
      if (user.empty()) {
        error = "SNMPv3 needs a user name";
        return false;
      }
      in.securityName = user.data();
      in.securityNameLen = user.size();
      in.securityModel = SNMP_SEC_MODEL_USM;
      in.contextName = context.data();
      in.contextNameLen = context.size();
      in.flags |= SNMP_FLAGS_DONT_PROBE;  // we discover the engine asynchronously
      if (c.authProtocol == AuthProtocol::kNone) {
        in.securityLevel = SNMP_SEC_LEVEL_NOAUTH;
      } else {
        const auto auth = authProto(c.authProtocol);
        in.securityAuthProto = const_cast<oid*>(auth.id);
        in.securityAuthProtoLen = auth.length;
        if (!kuFor(auth, c.authPassword, in.securityAuthKey, &in.securityAuthKeyLen, error)) {
          error = "authentication password: " + error;
          return false;
        }
        in.securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
        if (c.privProtocol != PrivProtocol::kNone) {
          const auto priv = privProto(c.privProtocol);
          in.securityPrivProto = const_cast<oid*>(priv.id);
          in.securityPrivProtoLen = priv.length;
          // The privacy key is derived with the authentication hash (RFC 3414).
          if (!kuFor(auth, c.privPassword, in.securityPrivKey, &in.securityPrivKeyLen, error)) {
            error = "privacy password: " + error;
            return false;
          }
          in.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
        }
      }
    }
    s.sessp = snmp_sess_open(&in);
    if (s.sessp == nullptr) {
      char* text = nullptr;
      int libErr = 0;
      int sysErr = 0;
      snmp_error(&in, &sysErr, &libErr, &text);
      error = std::string("cannot open an SNMP session: ") + (text != nullptr ? text : "?");
      std::free(text);
      return false;
    }
    if (c.version == Version::kV3) {
      // snmp_sess_open clears the flag after opening; without it the first
      // send would probe the engine synchronously and block the loop.
      snmp_sess_session(s.sessp)->flags |= SNMP_FLAGS_DONT_PROBE;
    }
    auto* transport = snmp_sess_transport(s.sessp);
    s.fd = transport != nullptr ? transport->sock : -1;
    if (s.fd < 0 || s.fd >= fdSetSize) {
      snmp_sess_close(s.sessp);
      error = "no socket for the SNMP session (too many open files?)";
      return false;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &s;
    epoll_ctl(epollFd, EPOLL_CTL_ADD, s.fd, &ev);
    return true;
  }

  void closeSession(Session* s) {
    if (!stillOpen(s) || s->closing) {
      return;
    }
    s->closing = true;
    // Ops still waiting for this session end with it.
    auto waiting = s->waiting;
    for (Op* op : waiting) {
      finish(op, ErrorKind::kCancelled, "the session closed", {});
    }
    if (s->probe != nullptr) {
      takeOffWire(s->probe);
      ops.erase(s->probe);
      s->probe = nullptr;
    }
    if (!s->usmKey.empty()) {
      --usm[s->usmKey].sessions;
    }
    if (s->fd >= 0) {
      epoll_ctl(epollFd, EPOLL_CTL_DEL, s->fd, nullptr);
    }
    ignoreEvents = true;
    snmp_sess_close(s->sessp);
    ignoreEvents = false;
    const bool wasUsm = !s->usmKey.empty();
    live.erase(s);
    sessions.erase(s->key);
    if (wasUsm) {
      retryBlocked();
    }
  }

  // ---- SNMPv3 engine discovery -------------------------------------------------------
  static void ensureEmptyUser() {
    // The discovery probe is sent as the empty user without authentication;
    // net-snmp encodes it only if that user exists in its table.
    if (usm_get_user(nullptr, 0, const_cast<char*>("")) != nullptr) {
      return;
    }
    struct usmUser* user = usm_create_user();
    if (user == nullptr) {
      return;
    }
    user->name = strdup("");
    user->secName = strdup("");
    user->authProtocol = snmp_duplicate_objid(usmNoAuthProtocol, OID_LENGTH(usmNoAuthProtocol));
    user->authProtocolLen = OID_LENGTH(usmNoAuthProtocol);
    user->privProtocol = snmp_duplicate_objid(usmNoPrivProtocol, OID_LENGTH(usmNoPrivProtocol));
    user->privProtocolLen = OID_LENGTH(usmNoPrivProtocol);
    usm_add_user(user);
  }

  void startProbe(Session* s) {
    ensureEmptyUser();
    auto probe = std::make_unique<Op>();
    probe->kind = Op::Kind::kProbe;
    probe->target = s->target;
    probe->session = s;
    Op* raw = probe.get();
    ops.emplace(raw, std::move(probe));
    s->probe = raw;
    netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_GET);
    pdu->version = SNMP_VERSION_3;
    pdu->securityName = strdup("");
    pdu->securityNameLen = 0;
    pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
    pdu->securityModel = SNMP_SEC_MODEL_USM;
    send(raw, pdu);
  }

  void probeAnswered(Session* s, const Event& ev) {
    Op* probe = s->probe;
    s->probe = nullptr;
    ops.erase(probe);
    netsnmp_session* ss = snmp_sess_session(s->sessp);
    if (ev.command != SNMP_MSG_REPORT || ss == nullptr || ss->securityEngineIDLen == 0) {
      failSession(s, ErrorKind::kBadResponse,
                  "the agent did not answer SNMPv3 engine discovery with its engine ID");
      return;
    }
    s->engineId.assign(reinterpret_cast<const char*>(ss->securityEngineID),
                       ss->securityEngineIDLen);
    engineKnown(s);
  }

  void engineKnown(Session* s) {
    const auto& c = s->target.credentials;
    const std::string key = s->engineId + '\0' + c.user;
    const std::string fingerprint = keyFingerprint(c);
    auto& entry = usm[key];
    if (entry.sessions > 0 && entry.fingerprint != fingerprint) {
      // net-snmp keeps one key set per (engine, user) for the whole process:
      // another session uses other passwords for this user on this device.
      std::vector<Session*> idle;
      for (auto& [k, other] : sessions) {
        if (other->usmKey == key && other->ops == 0) {
          idle.push_back(other.get());
        }
      }
      for (Session* other : idle) {
        closeSession(other);
      }
      if (usm[key].sessions > 0) {
        s->state = Session::State::kBlocked;
        return;
      }
    }
    auto& fresh = usm[key];
    if (fresh.fingerprint != fingerprint) {
      struct usmUser* old = usm_get_user(reinterpret_cast<const u_char*>(s->engineId.data()),
                                         s->engineId.size(), const_cast<char*>(c.user.c_str()));
      if (old != nullptr) {
        usm_remove_user(old);
        usm_free_user(old);
      }
      fresh.fingerprint = fingerprint;
    }
    ++fresh.sessions;
    s->usmKey = key;
    netsnmp_session* ss = snmp_sess_session(s->sessp);
    ss->flags &= ~static_cast<u_long>(SNMP_FLAGS_USER_CREATED);
    if (create_user_from_session(ss) != SNMPERR_SUCCESS) {
      failSession(s, ErrorKind::kBadResponse, "cannot set up the SNMPv3 user for this engine");
      return;
    }
    s->state = Session::State::kReady;
    auto waiting = std::move(s->waiting);
    s->waiting.clear();
    for (Op* op : waiting) {
      issue(op);
    }
  }

  void retryBlocked() {
    std::vector<Session*> blocked;
    for (auto& [k, s] : sessions) {
      if (s->state == Session::State::kBlocked) {
        blocked.push_back(s.get());
      }
    }
    for (Session* s : blocked) {
      if (stillOpen(s) && s->state == Session::State::kBlocked) {
        engineKnown(s);
      }
    }
  }

  void failSession(Session* s, ErrorKind kind, const std::string& detail) {
    auto waiting = s->waiting;
    for (Op* op : waiting) {
      finish(op, kind, detail, {});
    }
    if (stillOpen(s) && !s->closing && s->ops == 0) {
      closeSession(s);
    }
  }

  // ---- PDUs -------------------------------------------------------------------------
  static netsnmp_pdu* makePdu(int command, const std::vector<Oid>& oids) {
    netsnmp_pdu* pdu = snmp_pdu_create(command);
    for (const auto& o : oids) {
      const auto arcs = toNetSnmp(o);
      snmp_add_null_var(pdu, arcs.data(), arcs.size());
    }
    return pdu;
  }

  void issue(Op* op) {
    switch (op->kind) {
      case Op::Kind::kGet: {
        auto oids = op->plan->current();
        send(op, makePdu(SNMP_MSG_GET, oids));
        break;
      }
      case Op::Kind::kGetNext: send(op, makePdu(SNMP_MSG_GETNEXT, op->nextOids)); break;
      case Op::Kind::kWalk: {
        if (op->target.credentials.version == Version::kV1) {
          send(op, makePdu(SNMP_MSG_GETNEXT, {op->walk->next()}));
        } else {
          netsnmp_pdu* pdu = makePdu(SNMP_MSG_GETBULK, {op->walk->next()});
          pdu->non_repeaters = 0;
          pdu->max_repetitions = op->maxRepetitions;
          send(op, pdu);
        }
        break;
      }
      case Op::Kind::kWalkMany: {
        op->multiRequest = op->multi->next();
        const auto& request = op->multiRequest;
        if (op->target.credentials.version == Version::kV1) {
          send(op, makePdu(SNMP_MSG_GETNEXT, request.oids));
        } else {
          netsnmp_pdu* pdu = makePdu(SNMP_MSG_GETBULK, request.oids);
          pdu->non_repeaters = 0;
          pdu->max_repetitions = request.repetitions;
          send(op, pdu);
        }
        break;
      }
      case Op::Kind::kProbe: break;
    }
  }

  void send(Op* op, netsnmp_pdu* pdu) {
    Session* s = op->session;
    const long reqid = pdu->reqid;
    const long msgid = pdu->msgid;
    if (snmp_sess_async_send(s->sessp, pdu, &Impl::onPdu, s) == 0) {
      char* text = nullptr;
      snmp_sess_error(s->sessp, nullptr, nullptr, &text);
      std::string detail = std::string("cannot send: ") + (text != nullptr ? text : "?");
      std::free(text);
      snmp_free_pdu(pdu);
      if (op->kind == Op::Kind::kProbe) {
        s->probe = nullptr;
        ops.erase(op);
        failSession(s, ErrorKind::kNetwork, detail);
      } else {
        finish(op, ErrorKind::kNetwork, detail, {});
      }
      return;
    }
    ++requests;
    op->onWire = true;
    op->reqid = reqid;
    op->msgid = msgid;
    byReqId[reqid] = op;
    byMsgId[msgid] = op;
    const auto& t = op->target;
    const auto budget = t.timeout * (std::max(0, t.retries) + 1) + std::chrono::milliseconds(500);
    op->deadline = deadlines.emplace(SteadyClock::now() + budget, op);
    ++s->onWire;
    updateNextCheck(*s);
  }

  void takeOffWire(Op* op) {
    if (!op->onWire) {
      return;
    }
    op->onWire = false;
    byReqId.erase(op->reqid);
    byMsgId.erase(op->msgid);
    deadlines.erase(op->deadline);
    if (op->session != nullptr && op->session->onWire > 0) {
      --op->session->onWire;
    }
  }

  static int onPdu(int operation, netsnmp_session* /*session*/, int reqid, netsnmp_pdu* pdu,
                   void* magic) {
    auto* s = static_cast<Session*>(magic);
    auto* self = implOf(s);
    if (self == nullptr || self->ignoreEvents) {
      return 1;
    }
    Event ev;
    ev.session = s;
    ev.operation = operation;
    ev.reqid = reqid;
    if (pdu != nullptr) {
      ev.reqid = pdu->reqid != 0 ? pdu->reqid : reqid;
      ev.msgid = pdu->msgid;
      ev.command = pdu->command;
      if (operation == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
        ev.errstat = pdu->errstat;
        ev.errindex = pdu->errindex;
        for (auto* vb = pdu->variables; vb != nullptr; vb = vb->next_variable) {
          ev.varbinds.push_back(toVarBind(*vb));
        }
      }
    }
    self->events.push_back(std::move(ev));
    return 1;
  }

  // The callback only gets the session; the Impl is found through a
  // thread-local set by the loop (one loop thread per Impl).
  static Impl*& current() {
    thread_local Impl* impl = nullptr;
    return impl;
  }
  static Impl* implOf(Session* /*s*/) { return current(); }

  void processEvents() {
    while (!events.empty()) {
      std::vector<Event> batch;
      batch.swap(events);
      for (auto& ev : batch) {
        handle(ev);
      }
    }
  }

  Op* lookup(const Event& ev) {
    if (ev.reqid != 0) {
      if (auto it = byReqId.find(ev.reqid); it != byReqId.end()) {
        return it->second;
      }
    }
    // A REPORT to a request the agent could not authenticate or decrypt
    // carries only the message ID.
    if (ev.msgid != 0) {
      if (auto it = byMsgId.find(ev.msgid); it != byMsgId.end()) {
        return it->second;
      }
    }
    return nullptr;
  }

  void handle(Event& ev) {
    if (ev.operation == NETSNMP_CALLBACK_OP_RESEND) {
      ++requests;
      return;
    }
    // net-snmp announces a REPORT it matched to a request as a security
    // error first; the REPORT itself follows and is the answer.
    if (ev.operation != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE &&
        ev.operation != NETSNMP_CALLBACK_OP_TIMED_OUT &&
        ev.operation != NETSNMP_CALLBACK_OP_SEND_FAILED) {
      return;
    }
    Op* op = lookup(ev);
    if (op == nullptr || op->session != ev.session) {
      return;  // late, duplicate or unrelated
    }
    takeOffWire(op);
    if (ev.operation == NETSNMP_CALLBACK_OP_TIMED_OUT) {
      onTimeout(op);
      return;
    }
    if (ev.operation != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
      if (op->kind == Op::Kind::kProbe) {
        Session* s = op->session;
        s->probe = nullptr;
        ops.erase(op);
        failSession(s, ErrorKind::kNetwork, "cannot send the SNMPv3 discovery request");
      } else {
        finish(op, ErrorKind::kNetwork, "cannot send the request", {});
      }
      return;
    }
    ++responses;
    varbindsReceived += ev.varbinds.size();
    if (op->kind == Op::Kind::kProbe) {
      probeAnswered(op->session, ev);
      return;
    }
    if (ev.command == SNMP_MSG_REPORT) {
      onReport(op, ev);
      return;
    }
    if (ev.command != SNMP_MSG_RESPONSE) {
      finish(op, ErrorKind::kBadResponse, "the agent answered with an unexpected PDU type", {});
      return;
    }
    if (op->diagnosis != 0) {
      onDiagnosisAnswer(op, false);
      return;
    }
    switch (op->kind) {
      case Op::Kind::kGet: onGetAnswer(op, ev); break;
      case Op::Kind::kGetNext: onGetNextAnswer(op, ev); break;
      case Op::Kind::kWalk: onWalkAnswer(op, ev); break;
      case Op::Kind::kWalkMany: onWalkManyAnswer(op, ev); break;
      case Op::Kind::kProbe: break;
    }
  }

  void onReport(Op* op, const Event& ev) {
    std::optional<Oid> first;
    if (!ev.varbinds.empty()) {
      first = ev.varbinds.front().oid;
    }
    const auto cls = classifyReport(first);
    if (op->diagnosis != 0) {
      onDiagnosisAnswer(op, true);
      return;
    }
    if (cls.meaning == ReportMeaning::kNotInTime && op->notInTimeResends < 2) {
      ++op->notInTimeResends;
      issue(op);
      return;
    }
    finish(op, cls.kind, cls.what, {});
  }

  void onTimeout(Op* op) {
    if (op->kind == Op::Kind::kProbe) {
      Session* s = op->session;
      s->probe = nullptr;
      ops.erase(op);
      failSession(s, ErrorKind::kTimeout, timeoutText(s->target, "SNMPv3 engine discovery"));
      return;
    }
    const auto& c = op->target.credentials;
    if (op->diagnosis != 0) {
      finish(op, ErrorKind::kTimeout, op->timeoutMessage, {});
      return;
    }
    op->timeoutMessage = timeoutText(op->target, "the request");
    // The engine answered discovery, so the device is there: find out whether
    // the context or the privacy password is what it silently drops.
    if (c.version == Version::kV3 && c.authProtocol != AuthProtocol::kNone) {
      if (!c.context.empty()) {
        sendDiagnosis(op, 1);
        return;
      }
      if (c.privProtocol != PrivProtocol::kNone) {
        sendDiagnosis(op, 2);
        return;
      }
    }
    finish(op, ErrorKind::kTimeout, op->timeoutMessage, {});
  }

  static std::string timeoutText(const Target& t, const char* what) {
    return "no answer to " + std::string(what) + " within " +
           std::to_string(std::max(0, t.retries) + 1) + " × " + std::to_string(t.timeout.count()) +
           " ms";
  }

  void sendDiagnosis(Op* op, int stage) {
    op->diagnosis = stage;
    netsnmp_pdu* pdu = makePdu(SNMP_MSG_GET, {Oid::of("1.3.6.1.2.1.1.3.0")});
    pdu->contextName = strdup("");
    pdu->contextNameLen = 0;
    if (stage == 2) {
      pdu->securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
    }
    send(op, pdu);
  }

  void onDiagnosisAnswer(Op* op, bool report) {
    const auto& c = op->target.credentials;
    if (op->diagnosis == 1) {
      finish(op, ErrorKind::kUnknownContext,
             "no answer in context \"" + c.context +
                 "\" while the agent answers in the default context: it does not serve this "
                 "context",
             {});
      return;
    }
    if (report) {
      finish(op, ErrorKind::kTimeout,
             op->timeoutMessage +
                 "; the agent is there but drops encrypted requests: "
                 "check the privacy password and protocol",
             {});
      return;
    }
    finish(op, ErrorKind::kDecryptionFailed,
           "the agent answers this user's authenticated requests but drops encrypted ones: "
           "wrong privacy password or protocol",
           {});
  }

  // ---- answers ---------------------------------------------------------------------
  void onGetAnswer(Op* op, const Event& ev) {
    auto& plan = *op->plan;
    if (ev.errstat == SNMP_ERR_NOERROR) {
      if (!plan.answered(ev.varbinds)) {
        finish(op, ErrorKind::kBadResponse, "the answer names other OIDs than were asked", {});
        return;
      }
    } else if (ev.errstat == kTooBig) {
      if (!plan.split()) {
        finish(op, ErrorKind::kAgentError, "the agent answered tooBig for a single OID", {});
        return;
      }
    } else if (ev.errstat == kNoSuchName || ev.errstat == kGenErr) {
      if (!plan.dropAt(ev.errindex) && !plan.split()) {
        finish(op, ErrorKind::kAgentError,
               "the agent answered " + errorStatusName(ev.errstat) + " (index " +
                   std::to_string(ev.errindex) + ")",
               {});
        return;
      }
    } else {
      finish(op, ErrorKind::kAgentError, "the agent answered " + errorStatusName(ev.errstat), {});
      return;
    }
    if (plan.done()) {
      finishOk(op, plan.results());
    } else {
      issue(op);
    }
  }

  void onGetNextAnswer(Op* op, const Event& ev) {
    if (ev.errstat == SNMP_ERR_NOERROR) {
      if (ev.varbinds.size() != op->nextOids.size()) {
        finish(op, ErrorKind::kBadResponse, "the answer has another number of varbinds", {});
        return;
      }
      for (std::size_t k = 0; k < ev.varbinds.size(); ++k) {
        op->nextResults[op->nextIndex[k]] = ev.varbinds[k];
      }
      op->nextOids.clear();
    } else if (ev.errstat == kNoSuchName && ev.errindex >= 1 &&
               static_cast<std::size_t>(ev.errindex) <= op->nextOids.size()) {
      // SNMPv1's way of saying "nothing after this OID".
      const auto k = static_cast<std::size_t>(ev.errindex - 1);
      op->nextResults[op->nextIndex[k]] =
          VarBind{op->nextOids[k], Value::exception(ValueType::kEndOfMibView)};
      op->nextOids.erase(op->nextOids.begin() + static_cast<std::ptrdiff_t>(k));
      op->nextIndex.erase(op->nextIndex.begin() + static_cast<std::ptrdiff_t>(k));
    } else {
      finish(op, ErrorKind::kAgentError, "the agent answered " + errorStatusName(ev.errstat), {});
      return;
    }
    if (!op->nextOids.empty()) {
      issue(op);
      return;
    }
    std::vector<VarBind> out;
    for (auto& r : op->nextResults) {
      out.push_back(std::move(*r));
    }
    finishOk(op, std::move(out));
  }

  void onWalkAnswer(Op* op, const Event& ev) {
    auto& walk = *op->walk;
    if (ev.errstat == kTooBig && op->maxRepetitions > 1) {
      op->maxRepetitions = std::max(1, op->maxRepetitions / 2);
      issue(op);
      return;
    }
    if (ev.errstat == kNoSuchName && op->target.credentials.version == Version::kV1) {
      finishOk(op, std::move(walk.rows()));  // v1: the end of the MIB view
      return;
    }
    if (ev.errstat != SNMP_ERR_NOERROR) {
      finish(op, ErrorKind::kAgentError,
             "the agent answered " + errorStatusName(ev.errstat) + " after " +
                 std::to_string(walk.rows().size()) + " rows",
             std::move(walk.rows()));
      return;
    }
    switch (walk.accept(ev.varbinds)) {
      case WalkState::Step::kContinue: issue(op); break;
      case WalkState::Step::kDone: finishOk(op, std::move(walk.rows())); break;
      case WalkState::Step::kLoop:
        finish(op, ErrorKind::kBadResponse,
               "the walk loops: the agent answered " + walk.loopOid().toString() +
                   ", which does not come after " + walk.next().toString(),
               std::move(walk.rows()));
        break;
    }
  }

  void onWalkManyAnswer(Op* op, const Event& ev) {
    auto& multi = *op->multi;
    const auto& request = op->multiRequest;
    if (ev.errstat == SNMP_ERR_NOERROR) {
      multi.accept(request, ev.varbinds);
    } else if (ev.errstat == kTooBig) {
      multi.tooBig(request);
    } else {
      // SNMPv1's noSuchName to a GETNEXT means "nothing after this OID".
      const bool endOfView =
          ev.errstat == kNoSuchName && op->target.credentials.version == Version::kV1;
      multi.error(request, ev.errindex, endOfView,
                  "the agent answered " + errorStatusName(ev.errstat));
    }
    if (multi.done()) {
      finishOk(op, {});
    } else {
      issue(op);
    }
  }
};

NetSnmpClient::NetSnmpClient() : NetSnmpClient(Options{}) {}

NetSnmpClient::NetSnmpClient(Options options) : impl_(std::make_unique<Impl>(options)) {}

NetSnmpClient::~NetSnmpClient() = default;

void NetSnmpClient::get(const Target& target, std::vector<Oid> oids, Callback done) {
  if (answeredUpFront(target, oids, done)) return;
  auto op = std::make_unique<Impl::Op>();
  op->kind = Impl::Op::Kind::kGet;
  op->target = target;
  op->done = std::move(done);
  op->plan.emplace(std::move(oids),
                   std::clamp<std::size_t>(impl_->options.maxOidsPerGet, 1, kMaxGetBatch));
  impl_->post(std::move(op));
}

void NetSnmpClient::getNext(const Target& target, std::vector<Oid> oids, Callback done) {
  if (answeredUpFront(target, oids, done)) return;
  auto op = std::make_unique<Impl::Op>();
  op->kind = Impl::Op::Kind::kGetNext;
  op->target = target;
  op->done = std::move(done);
  op->nextResults.resize(oids.size());
  for (std::size_t i = 0; i < oids.size(); ++i) {
    op->nextIndex.push_back(i);
  }
  op->nextOids = std::move(oids);
  impl_->post(std::move(op));
}

void NetSnmpClient::walk(const Target& target, Oid root, WalkOptions options, Callback done) {
  auto op = std::make_unique<Impl::Op>();
  op->kind = Impl::Op::Kind::kWalk;
  op->target = target;
  op->done = std::move(done);
  if (!askable(root)) {
    op->done(Result{ErrorKind::kBadResponse,
                    describeFailure(target, ErrorKind::kBadResponse,
                                    "cannot walk the OID \"" + root.toString() + "\""),
                    {}});
    return;
  }
  op->maxRepetitions = std::clamp(options.maxRepetitions, 1, 1000);
  op->walk.emplace(std::move(root), options.maxRows);
  impl_->post(std::move(op));
}

void NetSnmpClient::walkMany(const Target& target, std::vector<Oid> roots, WalkOptions options,
                             ManyCallback done) {
  for (const auto& root : roots) {
    if (!askable(root)) {
      const std::string message = describeFailure(
          target, ErrorKind::kBadResponse, "cannot walk the OID \"" + root.toString() + "\"");
      done(std::vector<Result>(roots.size(), Result{ErrorKind::kBadResponse, message, {}}));
      return;
    }
  }
  if (roots.empty()) {
    done({});
    return;
  }
  auto multi = std::make_shared<MultiWalkState>(std::move(roots), options.maxRows,
                                                options.maxVarbinds, options.maxRepetitions);
  auto op = std::make_unique<Impl::Op>();
  op->kind = Impl::Op::Kind::kWalkMany;
  op->target = target;
  op->multi = multi;
  // A failure of the whole chain (timeout, v3 refusal, shutdown) is every
  // root's; otherwise each root ends as its column did.
  op->done = [multi, target, done = std::move(done)](const Result& whole) {
    std::vector<Result> out;
    out.reserve(multi->columns().size());
    for (auto& column : multi->columns()) {
      Result r;
      if (!whole.ok()) {
        r.error = whole.error;
        r.message = whole.message;
      } else if (column.end == MultiWalkState::End::kLoop) {
        r.error = ErrorKind::kBadResponse;
        r.message = describeFailure(target, r.error, column.message);
        r.varbinds = std::move(column.rows);
      } else if (column.end == MultiWalkState::End::kFailed) {
        r.error = ErrorKind::kAgentError;
        r.message = describeFailure(target, r.error, column.message);
        r.varbinds = std::move(column.rows);
      } else {
        r.varbinds = std::move(column.rows);
      }
      out.push_back(std::move(r));
    }
    done(std::move(out));
  };
  impl_->post(std::move(op));
}

Stats NetSnmpClient::stats() const {
  return {impl_->requests.load(), impl_->responses.load(), impl_->timeouts.load(),
          impl_->varbindsReceived.load()};
}

}  // namespace openmps::client::snmp
