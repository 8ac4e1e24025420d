#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "shared/envelope/batch.hpp"
#include "shared/envelope/keys.hpp"

namespace openmps::envelope {

// The clear header of a sealed envelope: enough to find the client's key.
struct EnvelopeHeader {
  std::uint64_t clientId = 0;
  std::uint64_t batchSeq = 0;
  bool compressed = false;
  std::size_t sealedSize = 0;  // whole envelope, header included
};

struct EnvelopeLimits {
  std::size_t maxSealedBytes = 8u << 20;   // as received
  std::size_t maxOpenedBytes = 64u << 20;  // after decompression
};

struct OpenedEnvelope {
  Batch batch;
  // SHA-256 of the opened payload: the same batch sent again has the same
  // digest, whatever nonce it was sealed with.
  std::array<unsigned char, 32> digest{};
};

// Serialises, compresses and seals a batch under the client's key
// (XChaCha20-Poly1305, header as associated data). shared/README.md has the
// byte layout.
std::string sealBatch(const Batch& batch, const ClientKey& key);

// Reads the clear header; throws EnvelopeError (kGarbage, kUnsupportedVersion,
// kTruncated, kOversize). Does not authenticate anything.
EnvelopeHeader peekHeader(std::string_view sealed, const EnvelopeLimits& limits = {});

// Authenticates, decompresses and decodes. Throws EnvelopeError: kWrongKey
// when the envelope was sealed for another key, kTampered when the seal does
// not verify, kBadPayload when the content is malformed or disagrees with
// the header, plus everything peekHeader throws.
OpenedEnvelope openEnvelope(std::string_view sealed, const ClientKey& key,
                            const EnvelopeLimits& limits = {});

}  // namespace openmps::envelope
