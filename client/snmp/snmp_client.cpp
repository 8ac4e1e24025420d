#include "client/snmp/snmp_client.hpp"

#include <memory>
#include <mutex>
#include <utility>

namespace openmps::client::snmp {

namespace {

const char* authName(AuthProtocol p) {
  switch (p) {
    case AuthProtocol::kNone: return "none";
    case AuthProtocol::kMd5: return "MD5";
    case AuthProtocol::kSha1: return "SHA-1";
    case AuthProtocol::kSha224: return "SHA-224";
    case AuthProtocol::kSha256: return "SHA-256";
    case AuthProtocol::kSha384: return "SHA-384";
    case AuthProtocol::kSha512: return "SHA-512";
  }
  return "?";
}

const char* privName(PrivProtocol p) {
  switch (p) {
    case PrivProtocol::kNone: return "none";
    case PrivProtocol::kDes: return "DES";
    case PrivProtocol::kAes128: return "AES-128";
    case PrivProtocol::kAes192: return "AES-192";
    case PrivProtocol::kAes256: return "AES-256";
  }
  return "?";
}

}  // namespace

std::string Credentials::describe() const {
  switch (version) {
    case Version::kV1: return "v1";
    case Version::kV2c: return "v2c";
    case Version::kV3: break;
  }
  std::string out = "v3 user " + user;
  if (authProtocol == AuthProtocol::kNone) {
    out += " noAuthNoPriv";
  } else {
    out += ' ';
    out += authName(authProtocol);
    if (privProtocol != PrivProtocol::kNone) {
      out += '/';
      out += privName(privProtocol);
    }
  }
  if (!context.empty()) {
    out += " context " + context;
  }
  return out;
}

std::string Target::toString() const {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

const char* toString(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNone: return "ok";
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kAuthFailed: return "authentication failed";
    case ErrorKind::kUnknownUser: return "unknown user";
    case ErrorKind::kDecryptionFailed: return "decryption failed";
    case ErrorKind::kUnsupportedSecurityLevel: return "unsupported security level";
    case ErrorKind::kUnknownContext: return "unknown context";
    case ErrorKind::kAgentError: return "agent error";
    case ErrorKind::kBadResponse: return "bad response";
    case ErrorKind::kNetwork: return "network error";
    case ErrorKind::kCancelled: return "cancelled";
  }
  return "?";
}

void SnmpClient::walkMany(const Target& target, std::vector<Oid> roots, WalkOptions options,
                          ManyCallback done) {
  struct Gather {
    std::mutex mutex;
    std::vector<Result> results;
    std::size_t pending = 0;
    ManyCallback done;
  };
  if (roots.empty()) {
    done({});
    return;
  }
  auto gather = std::make_shared<Gather>();
  gather->results.resize(roots.size());
  gather->pending = roots.size();
  gather->done = std::move(done);
  for (std::size_t i = 0; i < roots.size(); ++i) {
    walk(target, std::move(roots[i]), options, [gather, i](Result r) {
      bool last = false;
      {
        const std::lock_guard<std::mutex> lock(gather->mutex);
        gather->results[i] = std::move(r);
        last = --gather->pending == 0;
      }
      if (last) {
        gather->done(std::move(gather->results));
      }
    });
  }
}

}  // namespace openmps::client::snmp
