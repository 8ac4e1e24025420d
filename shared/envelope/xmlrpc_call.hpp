#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

// The XML-RPC call that carries an envelope: mps.submit(base64 envelope).
// Encoding and decoding go through xmlrpc-c; shared/README.md documents the
// call, its answer and its faults for writers of other clients.
namespace openmps::envelope {

inline constexpr const char* kSubmitMethod = "mps.submit";
inline constexpr std::size_t kMaxCallBytes = 12u << 20;  // base64 of an 8 MiB envelope + XML

struct SubmitAck {
  std::string status;  // "stored" or "duplicate"
  std::uint64_t clientId = 0;
  std::uint64_t batchSeq = 0;
  std::int64_t items = 0;  // readings in the batch
  bool operator==(const SubmitAck&) const = default;
};

struct SubmitFault {
  int code = 0;  // fault_codes.hpp
  std::string message;
  bool operator==(const SubmitFault&) const = default;
};

using SubmitResult = std::variant<SubmitAck, SubmitFault>;

std::string encodeSubmitCall(std::string_view sealedEnvelope);
// Returns the envelope bytes; throws EnvelopeError(kBadCall or kOversize).
std::string decodeSubmitCall(std::string_view callXml);

std::string encodeSubmitResponse(const SubmitAck& ack);
std::string encodeFaultResponse(const SubmitFault& fault);
// Throws EnvelopeError(kBadCall) when the response is not a well-formed
// answer to mps.submit.
SubmitResult decodeSubmitResponse(std::string_view responseXml);

}  // namespace openmps::envelope
