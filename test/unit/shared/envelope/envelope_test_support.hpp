#pragma once

#include "shared/envelope/batch.hpp"
#include "shared/envelope/keys.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::envelope::test {

inline ClientKey keyFilledWith(unsigned char byte) {
  std::array<unsigned char, Key::kSize> bytes{};
  bytes.fill(byte);
  return ClientKey(bytes);
}

inline Batch sampleBatch(std::uint64_t clientId = 17, std::uint64_t batchSeq = 42, int items = 3) {
  Batch b;
  b.clientId = clientId;
  b.batchSeq = batchSeq;
  b.clientVersion = "0.1.0";
  b.createdAt = *util::parseRfc3339("2026-11-22T08:00:00Z");
  for (int i = 0; i < items; ++i) {
    BatchItem item;
    item.seq = 1000 + static_cast<std::uint64_t>(i);
    item.reading.readAt = *util::parseRfc3339("2026-11-22T07:59:00Z");
    item.reading.identity.serial = "SN" + std::to_string(i);
    item.reading.identity.model = "LaserJet";
    item.reading.counters = {{"total", 1000 + i}, {"mono", 1000 + i}};
    b.items.push_back(item);
  }
  return b;
}

}  // namespace openmps::envelope::test
