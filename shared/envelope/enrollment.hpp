#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "shared/envelope/keys.hpp"

namespace openmps::envelope {

// What a client needs to report to a server, as one copy-pasteable line
// ("omps1:" + base64url). Contains the client's key: treat it as a secret.
struct Enrollment {
  // Where to send, in order of preference:
  //   xmlrpcs://host:52004      XML-RPC over TLS, direct
  //   xmlrpc://host:52004       the same without TLS (only when asked for)
  //   https://host[:port]/RPC2  XML-RPC as an HTTPS POST (proxies allowed)
  //   mailto:inbox@example.com  sealed batches by e-mail
  std::vector<std::string> servers;
  std::uint64_t clientId = 0;
  ClientKey key;
  // SHA-256 of the server certificate (DER); all zero when none was given.
  std::array<unsigned char, 32> certFingerprint{};
};

enum class EnrollmentErrorKind {
  kBadPrefix,    // does not start with "omps1:"
  kBadEncoding,  // not base64url, or not the JSON inside
  kBadChecksum,  // mistyped or cut off while copying
  kMissingField,
  kBadField,  // a field of the wrong form (key length, URL scheme, ...)
};

class EnrollmentError : public std::runtime_error {
 public:
  EnrollmentError(EnrollmentErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  EnrollmentErrorKind kind() const { return kind_; }

 private:
  EnrollmentErrorKind kind_;
};

std::string encodeEnrollment(const Enrollment& enrollment);
Enrollment decodeEnrollment(const std::string& text);  // trims whitespace

// "ab:cd:..." upper-case hex with colons, as `openssl x509 -fingerprint` prints it.
std::string formatFingerprint(const std::array<unsigned char, 32>& fingerprint);

}  // namespace openmps::envelope
