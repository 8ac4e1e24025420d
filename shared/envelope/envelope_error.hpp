#pragma once

#include <stdexcept>
#include <string>

namespace openmps::envelope {

// Every way an envelope, an XML-RPC call or an enrollment string can be
// refused. Each has its own XML-RPC fault code (fault_codes.hpp).
enum class EnvelopeErrorKind {
  kGarbage,             // not an OpenMPS envelope at all (bad magic)
  kUnsupportedVersion,  // an envelope format we do not speak
  kTruncated,           // shorter than its header or its declared length
  kOversize,            // larger than the receiver's limit (sealed or opened)
  kUnknownClient,       // no such enrolled client (or revoked)
  kWrongKey,            // sealed with a key that is not this client's
  kTampered,            // right key, but the seal does not verify
  kReplayed,            // this batch number was already used for other content
  kBadPayload,          // opened fine, but the batch inside is malformed
  kBadCall,             // not a well-formed mps.submit XML-RPC call
};

const char* toString(EnvelopeErrorKind kind);

class EnvelopeError : public std::runtime_error {
 public:
  EnvelopeError(EnvelopeErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  EnvelopeErrorKind kind() const { return kind_; }

 private:
  EnvelopeErrorKind kind_;
};

}  // namespace openmps::envelope
