#pragma once

#include "shared/envelope/envelope_error.hpp"

namespace openmps::envelope {

// XML-RPC fault codes of mps.submit. A client retries the retryable ones
// later with the same envelope; the others mean this envelope will never be
// accepted as it is.
enum FaultCode : int {
  kFaultBadCall = 100,
  kFaultGarbage = 101,
  kFaultUnsupportedVersion = 102,
  kFaultTruncated = 103,
  kFaultOversize = 104,
  kFaultUnknownClient = 110,
  kFaultWrongKey = 111,
  kFaultTampered = 112,
  kFaultReplayed = 113,
  kFaultBadPayload = 114,
  // retryable
  kFaultRateLimited = 200,
  kFaultUnavailable = 201,
  // Storing this batch failed in a way that is the server's fault, not the
  // database being away; a later try may work. Receivers that can decide
  // per message (the mailbox) give up on such a batch after a few tries.
  kFaultInternal = 202,
};

int faultCodeFor(EnvelopeErrorKind kind);
bool isRetryableFault(int code);

}  // namespace openmps::envelope
