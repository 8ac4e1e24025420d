#include "shared/envelope/envelope_error.hpp"

#include "shared/envelope/fault_codes.hpp"

namespace openmps::envelope {

const char* toString(EnvelopeErrorKind kind) {
  switch (kind) {
    case EnvelopeErrorKind::kGarbage: return "garbage";
    case EnvelopeErrorKind::kUnsupportedVersion: return "unsupported version";
    case EnvelopeErrorKind::kTruncated: return "truncated";
    case EnvelopeErrorKind::kOversize: return "oversize";
    case EnvelopeErrorKind::kUnknownClient: return "unknown client";
    case EnvelopeErrorKind::kWrongKey: return "wrong key";
    case EnvelopeErrorKind::kTampered: return "tampered";
    case EnvelopeErrorKind::kReplayed: return "replayed";
    case EnvelopeErrorKind::kBadPayload: return "bad payload";
    case EnvelopeErrorKind::kBadCall: return "bad call";
  }
  return "unknown";
}

int faultCodeFor(EnvelopeErrorKind kind) {
  switch (kind) {
    case EnvelopeErrorKind::kGarbage: return kFaultGarbage;
    case EnvelopeErrorKind::kUnsupportedVersion: return kFaultUnsupportedVersion;
    case EnvelopeErrorKind::kTruncated: return kFaultTruncated;
    case EnvelopeErrorKind::kOversize: return kFaultOversize;
    case EnvelopeErrorKind::kUnknownClient: return kFaultUnknownClient;
    case EnvelopeErrorKind::kWrongKey: return kFaultWrongKey;
    case EnvelopeErrorKind::kTampered: return kFaultTampered;
    case EnvelopeErrorKind::kReplayed: return kFaultReplayed;
    case EnvelopeErrorKind::kBadPayload: return kFaultBadPayload;
    case EnvelopeErrorKind::kBadCall: return kFaultBadCall;
  }
  return kFaultBadCall;
}

bool isRetryableFault(int code) {
  return code >= 200 && code < 300;
}

}  // namespace openmps::envelope
