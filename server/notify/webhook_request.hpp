#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/notify/notification.hpp"

// The HTTP request of one webhook delivery, and its signature. Receivers
// check it as documented in server/notify/README.md ("Webhooks"):
//
//   X-OpenMPS-Timestamp: 1767225600                 (Unix seconds, this attempt)
//   X-OpenMPS-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//   X-OpenMPS-Delivery:  omps-<uuid>                (the same on every attempt)
//   X-OpenMPS-Event:     alert.raised
//
// A receiver refuses timestamps older than a few minutes (replay) and
// remembers delivery ids (a retry after a crash in the last instant).
namespace openmps::server::notify {

using Headers = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kSignatureHeader = "X-OpenMPS-Signature";
inline constexpr std::string_view kTimestampHeader = "X-OpenMPS-Timestamp";
inline constexpr std::string_view kDeliveryHeader = "X-OpenMPS-Delivery";
inline constexpr std::string_view kEventHeader = "X-OpenMPS-Event";

// "sha256=" and the lower-case hex HMAC-SHA256 of "<timestamp>.<body>".
std::string webhookSignature(std::string_view secret, std::int64_t timestamp,
                             std::string_view body);

Headers webhookHeaders(const Delivery& delivery, std::string_view secret,
                       std::chrono::system_clock::time_point now);

}  // namespace openmps::server::notify
