#pragma once

// Building blocks of seal.cpp, exposed for test vectors and fuzz targets.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "shared/envelope/keys.hpp"

namespace openmps::envelope::internal {

inline constexpr std::size_t kHeaderSize = 60;
inline constexpr std::size_t kNonceSize = 24;
inline constexpr std::size_t kTagSize = 16;
inline constexpr std::size_t kKeyIdSize = 8;
inline constexpr unsigned char kFlagDeflate = 0x01;

// Seals an already serialised payload with a given nonce. compress says
// whether payload is deflated first (and the flag set).
std::string sealPayload(std::uint64_t clientId, std::uint64_t batchSeq, std::string_view payload,
                        bool compress, const ClientKey& key,
                        const std::array<unsigned char, kNonceSize>& nonce);

// Seals body as it is, with the given flags byte (kFlagDeflate says body
// is already deflated). Tests use it to seal malformed content validly.
std::string sealBody(std::uint64_t clientId, std::uint64_t batchSeq, std::string_view body,
                     unsigned char flags, const ClientKey& key,
                     const std::array<unsigned char, kNonceSize>& nonce);

// First 8 bytes of BLAKE2b keyed with the client key over a fixed label.
std::array<unsigned char, kKeyIdSize> keyId(const ClientKey& key);

std::string deflate(std::string_view data);
// Throws EnvelopeError(kOversize) past maxBytes, kBadPayload on a broken stream.
std::string inflate(std::string_view data, std::size_t maxBytes);

}  // namespace openmps::envelope::internal
