#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shared/model/reading.hpp"

namespace openmps::envelope {

// One reading with the client's item sequence number (increasing per client,
// never reused).
struct BatchItem {
  std::uint64_t seq = 0;
  model::Reading reading;
  bool operator==(const BatchItem&) const = default;
};

// What one client reports in one go. Serialised once (encodeBatch), sealed
// once (seal.hpp) and carried unchanged by every carrier.
struct Batch {
  std::uint64_t clientId = 0;
  std::uint64_t batchSeq = 0;  // increasing per client, starts at 1
  std::string clientVersion;
  std::chrono::system_clock::time_point createdAt;
  std::vector<BatchItem> items;
  bool operator==(const Batch&) const = default;
};

inline constexpr std::size_t kMaxBatchItems = 10'000;

// The batch payload as JSON (shared/README.md, "The batch").
std::string encodeBatch(const Batch& batch);
// Validates everything; throws EnvelopeError(kBadPayload) naming the field.
Batch decodeBatch(std::string_view json);

}  // namespace openmps::envelope
