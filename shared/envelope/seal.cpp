#include "shared/envelope/seal.hpp"

#include <cstring>

#include <sodium.h>
#include <zlib.h>

#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/seal_internal.hpp"

namespace openmps::envelope {
namespace internal {
namespace {

constexpr std::string_view kMagic = "OMPE";
constexpr unsigned char kVersion = 1;
constexpr std::string_view kKeyIdLabel = "openmps key id v1";

void putU64(std::string& out, std::size_t offset, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    out[offset + static_cast<std::size_t>(7 - i)] = static_cast<char>((v >> (i * 8)) & 0xff);
  }
}

void putU32(std::string& out, std::size_t offset, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) {
    out[offset + static_cast<std::size_t>(3 - i)] = static_cast<char>((v >> (i * 8)) & 0xff);
  }
}

std::uint64_t getU64(std::string_view in, std::size_t offset) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[offset + i]);
  return v;
}

std::uint32_t getU32(std::string_view in, std::size_t offset) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in[offset + i]);
  return v;
}

const unsigned char* bytesOf(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::array<unsigned char, kKeyIdSize> keyId(const ClientKey& key) {
  std::array<unsigned char, crypto_generichash_BYTES_MIN> full{};
  crypto_generichash(full.data(), full.size(), bytesOf(kKeyIdLabel), kKeyIdLabel.size(),
                     key.bytes().data(), key.bytes().size());
  std::array<unsigned char, kKeyIdSize> out{};
  std::memcpy(out.data(), full.data(), out.size());
  return out;
}

std::string deflate(std::string_view data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size, bytesOf(data),
                static_cast<uLong>(data.size()), 6) != Z_OK) {
    throw std::runtime_error("deflate failed");
  }
  out.resize(size);
  return out;
}

std::string inflate(std::string_view data, std::size_t maxBytes) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) throw std::runtime_error("inflate failed to initialise");
  zs.next_in = const_cast<Bytef*>(bytesOf(data));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = ::inflate(&zs, Z_NO_FLUSH);
    // All input is given at once and the whole output buffer is free, so
    // "no progress possible" can only mean the input ran out before the
    // stream's end, wherever it was cut (inflate returns Z_OK until then).
    if (rc == Z_BUF_ERROR) {
      inflateEnd(&zs);
      throw EnvelopeError(EnvelopeErrorKind::kBadPayload,
                          "payload ends inside its compressed stream");
    }
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      throw EnvelopeError(EnvelopeErrorKind::kBadPayload, "payload does not decompress");
    }
    const std::size_t produced = sizeof buf - zs.avail_out;
    if (out.size() + produced > maxBytes) {
      inflateEnd(&zs);
      throw EnvelopeError(EnvelopeErrorKind::kOversize, "payload decompresses to more than " +
                                                            std::to_string(maxBytes) + " bytes");
    }
    out.append(buf, produced);
  }
  const bool trailing = zs.avail_in != 0;
  inflateEnd(&zs);
  if (trailing)
    throw EnvelopeError(EnvelopeErrorKind::kBadPayload, "bytes after the compressed payload");
  return out;
}

std::string sealPayload(std::uint64_t clientId, std::uint64_t batchSeq, std::string_view payload,
                        bool compress, const ClientKey& key,
                        const std::array<unsigned char, kNonceSize>& nonce) {
  if (compress) return sealBody(clientId, batchSeq, deflate(payload), kFlagDeflate, key, nonce);
  return sealBody(clientId, batchSeq, payload, 0, key, nonce);
}

std::string sealBody(std::uint64_t clientId, std::uint64_t batchSeq, std::string_view body,
                     unsigned char flags, const ClientKey& key,
                     const std::array<unsigned char, kNonceSize>& nonce) {
  std::string out(kHeaderSize + body.size() + kTagSize, '\0');
  std::memcpy(out.data(), kMagic.data(), kMagic.size());
  out[4] = static_cast<char>(kVersion);
  out[5] = static_cast<char>(flags);
  putU64(out, 8, clientId);
  putU64(out, 16, batchSeq);
  const auto id = keyId(key);
  std::memcpy(out.data() + 24, id.data(), id.size());
  std::memcpy(out.data() + 32, nonce.data(), nonce.size());
  putU32(out, 56, static_cast<std::uint32_t>(body.size() + kTagSize));
  unsigned long long cipherLength = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(out.data() + kHeaderSize), &cipherLength, bytesOf(body),
      body.size(), bytesOf(out), kHeaderSize, nullptr, nonce.data(), key.bytes().data());
  return out;
}

}  // namespace internal

using namespace internal;

std::string sealBatch(const Batch& batch, const ClientKey& key) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::array<unsigned char, kNonceSize> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  return sealPayload(batch.clientId, batch.batchSeq, encodeBatch(batch), true, key, nonce);
}

EnvelopeHeader peekHeader(std::string_view sealed, const EnvelopeLimits& limits) {
  if (sealed.size() > limits.maxSealedBytes) {
    throw EnvelopeError(EnvelopeErrorKind::kOversize,
                        "envelope of " + std::to_string(sealed.size()) +
                            " bytes exceeds the limit of " + std::to_string(limits.maxSealedBytes));
  }
  if (sealed.empty()) throw EnvelopeError(EnvelopeErrorKind::kGarbage, "empty envelope");
  const std::string_view magic = sealed.substr(0, kMagic.size());
  if (magic != kMagic.substr(0, magic.size())) {
    throw EnvelopeError(EnvelopeErrorKind::kGarbage, "not an OpenMPS envelope (bad magic)");
  }
  if (sealed.size() < kMagic.size() + 1) {
    throw EnvelopeError(EnvelopeErrorKind::kTruncated,
                        "envelope truncated at " + std::to_string(sealed.size()) + " bytes");
  }
  const auto version = static_cast<unsigned char>(sealed[4]);
  if (version != kVersion) {
    throw EnvelopeError(
        EnvelopeErrorKind::kUnsupportedVersion,
        "envelope version " + std::to_string(version) + " is not supported (this version reads 1)");
  }
  if (sealed.size() < kHeaderSize) {
    throw EnvelopeError(
        EnvelopeErrorKind::kTruncated,
        "envelope header truncated at " + std::to_string(sealed.size()) + " of 60 bytes");
  }
  const auto flags = static_cast<unsigned char>(sealed[5]);
  if ((flags & ~kFlagDeflate) != 0) {
    throw EnvelopeError(EnvelopeErrorKind::kUnsupportedVersion, "envelope uses unknown flags");
  }
  if (sealed[6] != 0 || sealed[7] != 0) {
    throw EnvelopeError(EnvelopeErrorKind::kGarbage, "envelope header has non-zero reserved bytes");
  }
  EnvelopeHeader header;
  header.clientId = getU64(sealed, 8);
  header.batchSeq = getU64(sealed, 16);
  header.compressed = (flags & kFlagDeflate) != 0;
  if (header.clientId == 0 || header.batchSeq == 0) {
    throw EnvelopeError(EnvelopeErrorKind::kGarbage, "envelope header names client or batch 0");
  }
  const std::uint32_t cipherLength = getU32(sealed, 56);
  if (cipherLength < kTagSize) {
    throw EnvelopeError(EnvelopeErrorKind::kGarbage, "envelope ciphertext shorter than its tag");
  }
  const std::size_t declared = kHeaderSize + cipherLength;
  if (sealed.size() < declared) {
    throw EnvelopeError(EnvelopeErrorKind::kTruncated,
                        "envelope truncated: " + std::to_string(sealed.size()) + " of " +
                            std::to_string(declared) + " bytes");
  }
  if (sealed.size() > declared) {
    throw EnvelopeError(EnvelopeErrorKind::kGarbage,
                        std::to_string(sealed.size() - declared) + " bytes after the envelope");
  }
  header.sealedSize = declared;
  return header;
}

OpenedEnvelope openEnvelope(std::string_view sealed, const ClientKey& key,
                            const EnvelopeLimits& limits) {
  const EnvelopeHeader header = peekHeader(sealed, limits);
  const auto expectedKeyId = keyId(key);
  if (sodium_memcmp(expectedKeyId.data(), sealed.data() + 24, kKeyIdSize) != 0) {
    throw EnvelopeError(
        EnvelopeErrorKind::kWrongKey,
        "envelope for client " + std::to_string(header.clientId) + " was sealed with another key");
  }
  const std::string_view cipher = sealed.substr(kHeaderSize);
  std::string plain(cipher.size() - kTagSize, '\0');
  unsigned long long plainLength = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &plainLength, nullptr, bytesOf(cipher),
          cipher.size(), bytesOf(sealed), kHeaderSize,
          reinterpret_cast<const unsigned char*>(sealed.data() + 32), key.bytes().data()) != 0) {
    throw EnvelopeError(EnvelopeErrorKind::kTampered,
                        "envelope for client " + std::to_string(header.clientId) + " batch " +
                            std::to_string(header.batchSeq) +
                            " fails its seal (altered on the way)");
  }
  plain.resize(plainLength);
  std::string payload =
      header.compressed ? inflate(plain, limits.maxOpenedBytes) : std::move(plain);
  if (payload.size() > limits.maxOpenedBytes) {
    throw EnvelopeError(EnvelopeErrorKind::kOversize,
                        "payload larger than " + std::to_string(limits.maxOpenedBytes) + " bytes");
  }
  OpenedEnvelope opened;
  crypto_hash_sha256(opened.digest.data(), bytesOf(payload), payload.size());
  opened.batch = decodeBatch(payload);
  if (opened.batch.clientId != header.clientId || opened.batch.batchSeq != header.batchSeq) {
    throw EnvelopeError(EnvelopeErrorKind::kBadPayload,
                        "payload says client " + std::to_string(opened.batch.clientId) + " batch " +
                            std::to_string(opened.batch.batchSeq) + ", header says client " +
                            std::to_string(header.clientId) + " batch " +
                            std::to_string(header.batchSeq));
  }
  return opened;
}

}  // namespace openmps::envelope
