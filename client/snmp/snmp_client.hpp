#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "shared/snmp/oid.hpp"
#include "shared/snmp/value.hpp"
#include "shared/util/secret.hpp"

// The SNMP seam of the client: everything above it (PMD reads, discovery)
// is logic that talks to this interface; net_snmp_client.hpp is the adapter.
namespace openmps::client::snmp {

using openmps::snmp::Oid;
using openmps::snmp::Value;
using openmps::snmp::VarBind;

enum class Version { kV1, kV2c, kV3 };
enum class AuthProtocol { kNone, kMd5, kSha1, kSha224, kSha256, kSha384, kSha512 };
enum class PrivProtocol { kNone, kDes, kAes128, kAes192, kAes256 };

struct Credentials {
  Version version = Version::kV2c;
  util::Secret community{"public"};  // v1, v2c
  std::string user;                  // v3 from here on
  AuthProtocol authProtocol = AuthProtocol::kNone;
  util::Secret authPassword;
  PrivProtocol privProtocol = PrivProtocol::kNone;
  util::Secret privPassword;
  std::string context;
  // For logs and messages, without secrets: "v2c", "v3 user alice SHA-256/AES-128".
  std::string describe() const;
};

struct Target {
  std::string host;  // IPv4 or IPv6 literal, or a name
  std::uint16_t port = 161;
  Credentials credentials;
  std::chrono::milliseconds timeout{2000};  // per try
  int retries = 1;                          // tries = retries + 1
  std::string toString() const;             // "host:port" ("[v6]:port")
};

enum class ErrorKind {
  kNone,
  kTimeout,           // no answer within timeout × tries
  kAuthFailed,        // v3: wrong authentication password (wrongDigests)
  kUnknownUser,       // v3: unknownUserNames
  kDecryptionFailed,  // v3: wrong privacy password (decryptionErrors)
  kUnsupportedSecurityLevel,
  kUnknownContext,
  kAgentError,   // the agent answered with an error status it kept after our fallbacks
  kBadResponse,  // malformed answer, wrong OIDs, or a walk that loops
  kNetwork,      // cannot resolve the host or send
  kCancelled,    // the client shut down first
};

const char* toString(ErrorKind kind);

struct Result {
  ErrorKind error = ErrorKind::kNone;
  std::string message;  // one line a user can act on; empty when ok
  std::vector<VarBind> varbinds;
  bool ok() const { return error == ErrorKind::kNone; }
};

struct WalkOptions {
  std::size_t maxRows = 10'000;  // a device that never ends its table is cut off here
  int maxRepetitions = 25;       // GETBULK
  // walkMany: varbinds one answer should carry (open roots × repetitions).
  // Agents cap a GETBULK answer by message size or by count (snmpsim at 64),
  // so asking for more only makes them cut or answer tooBig. Every
  // repetition past a root's end is work the agent does for nothing: a
  // larger budget saves requests but wastes more on short tables (48 cost
  // the simulated printers the least CPU per device of 12 to 64).
  std::size_t maxVarbinds = 48;
};

struct Stats {
  std::uint64_t requests = 0;  // PDUs sent, retries included
  std::uint64_t responses = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t varbinds = 0;  // in the responses: the work an agent did for us
};

// Asynchronous SNMP. Each call returns at once; its callback runs exactly
// once, on the client's own thread, with the outcome. Calls may be made
// from any thread, including from inside a callback.
class SnmpClient {
 public:
  using Callback = std::function<void(Result)>;
  // One Result per root, in the order the roots were given.
  using ManyCallback = std::function<void(std::vector<Result>)>;
  virtual ~SnmpClient() = default;

  // GET: one varbind per requested OID, in the order asked. Per-OID
  // exceptions (noSuchObject, noSuchInstance) stay in the varbind's value.
  // Splits large requests into several PDUs, and on tooBig or (v1)
  // noSuchName retries without giving up the other OIDs.
  virtual void get(const Target& target, std::vector<Oid> oids, Callback done) = 0;
  // One GETNEXT PDU for these OIDs (discovery's single-packet probe).
  virtual void getNext(const Target& target, std::vector<Oid> oids, Callback done) = 0;
  // Every varbind under root, in order. GETBULK for v2c and v3, GETNEXT for
  // v1; stops at the end of the subtree, at endOfMibView, at maxRows, or
  // with kBadResponse when the agent answers OIDs that do not increase.
  virtual void walk(const Target& target, Oid root, WalkOptions options, Callback done) = 0;
  // Several walks at once, each Result as walk() would give it (rows of
  // that root; kBadResponse with the rows so far when it loops; kAgentError
  // when the agent refuses it). An adapter may carry them in one request
  // chain (NetSnmpClient: one GETBULK with the next OID of every open root);
  // this default walks each root on its own. A device that stops answering
  // fails every root with the same error.
  virtual void walkMany(const Target& target, std::vector<Oid> roots, WalkOptions options,
                        ManyCallback done);

  virtual Stats stats() const = 0;
};

}  // namespace openmps::client::snmp
