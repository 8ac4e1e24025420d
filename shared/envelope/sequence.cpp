#include "shared/envelope/sequence.hpp"

#include <sodium.h>

namespace openmps::envelope {

SequenceVerdict classifyBatch(const std::optional<std::array<unsigned char, 32>>& storedDigest,
                              const std::array<unsigned char, 32>& incomingDigest) {
  if (!storedDigest) return SequenceVerdict::kNew;
  return sodium_memcmp(storedDigest->data(), incomingDigest.data(), incomingDigest.size()) == 0
             ? SequenceVerdict::kDuplicate
             : SequenceVerdict::kConflict;
}

}  // namespace openmps::envelope
