#pragma once

#include <array>
#include <optional>

namespace openmps::envelope {

enum class SequenceVerdict {
  kNew,        // never seen: store it
  kDuplicate,  // same batch number, same content: acknowledge, store nothing
  kConflict,   // same batch number, other content: refuse (kReplayed)
};

// storedDigest is what the receiver stored under this batch number, if any.
SequenceVerdict classifyBatch(const std::optional<std::array<unsigned char, 32>>& storedDigest,
                              const std::array<unsigned char, 32>& incomingDigest);

}  // namespace openmps::envelope
