#include "shared/envelope/seal.hpp"

#include <functional>

#include <catch2/catch.hpp>

#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/seal_internal.hpp"
#include "shared/util/base64.hpp"
#include "unit/shared/envelope/envelope_test_support.hpp"

using namespace openmps::envelope;
using openmps::envelope::test::keyFilledWith;
using openmps::envelope::test::sampleBatch;

namespace {

EnvelopeErrorKind kindOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const EnvelopeError& e) {
    INFO(e.what());
    return e.kind();
  }
  FAIL("no EnvelopeError thrown");
  return EnvelopeErrorKind::kBadCall;
}

// Kind and message, for checks that share a kind: the message tells which
// check refused.
struct Refusal {
  EnvelopeErrorKind kind = EnvelopeErrorKind::kBadCall;
  std::string message;
};

Refusal refusalOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const EnvelopeError& e) {
    return {e.kind(), e.what()};
  } catch (const std::exception& e) {
    FAIL("not an EnvelopeError: " << e.what());
  }
  FAIL("no EnvelopeError thrown");
  return {};
}

// A header field rewritten in place, big-endian like the format.
void putBigEndian(std::string& sealed, std::size_t offset, std::size_t size, std::uint64_t v) {
  for (std::size_t i = 0; i < size; ++i) {
    sealed[offset + size - 1 - i] = static_cast<char>((v >> (8 * i)) & 0xff);
  }
}

const ClientKey kKey = keyFilledWith(0x11);

}  // namespace

TEST_CASE("a sealed batch opens to the same batch", "[envelope]") {
  const Batch batch = sampleBatch();
  const std::string sealed = sealBatch(batch, kKey);
  const auto header = peekHeader(sealed);
  CHECK(header.clientId == 17);
  CHECK(header.batchSeq == 42);
  CHECK(header.compressed);
  CHECK(header.sealedSize == sealed.size());
  const OpenedEnvelope opened = openEnvelope(sealed, kKey);
  CHECK(opened.batch == batch);
}

TEST_CASE("the same batch sealed twice differs in bytes but not in digest", "[envelope]") {
  const Batch batch = sampleBatch();
  const std::string a = sealBatch(batch, kKey);
  const std::string b = sealBatch(batch, kKey);
  CHECK(a != b);  // fresh nonce each time
  CHECK(openEnvelope(a, kKey).digest == openEnvelope(b, kKey).digest);
  CHECK(openEnvelope(a, kKey).digest !=
        openEnvelope(sealBatch(sampleBatch(17, 42, 4), kKey), kKey).digest);
}

TEST_CASE("a day of readings compresses well", "[envelope]") {
  const Batch batch = sampleBatch(17, 1, 500);
  const std::string sealed = sealBatch(batch, kKey);
  CHECK(sealed.size() * 5 < encodeBatch(batch).size());
}

TEST_CASE("garbage is refused as garbage", "[envelope]") {
  CHECK(kindOf([] { peekHeader(""); }) == EnvelopeErrorKind::kGarbage);
  CHECK(kindOf([] {
          peekHeader("hello, world, this is not an envelope at all......................");
        }) == EnvelopeErrorKind::kGarbage);
  std::string sealed = sealBatch(sampleBatch(), kKey);
  std::string reserved = sealed;
  reserved[6] = 1;
  CHECK(kindOf([&] { peekHeader(reserved); }) == EnvelopeErrorKind::kGarbage);
  std::string trailing = sealed + "x";
  CHECK(kindOf([&] { peekHeader(trailing); }) == EnvelopeErrorKind::kGarbage);
  std::string zeroClient = sealed;
  std::fill(zeroClient.begin() + 8, zeroClient.begin() + 16, '\0');
  CHECK(kindOf([&] { peekHeader(zeroClient); }) == EnvelopeErrorKind::kGarbage);
}

TEST_CASE("another envelope version is refused as unsupported", "[envelope]") {
  std::string sealed = sealBatch(sampleBatch(), kKey);
  sealed[4] = 2;
  CHECK(kindOf([&] { peekHeader(sealed); }) == EnvelopeErrorKind::kUnsupportedVersion);
  std::string flags = sealBatch(sampleBatch(), kKey);
  flags[5] = static_cast<char>(0x81);
  CHECK(kindOf([&] { peekHeader(flags); }) == EnvelopeErrorKind::kUnsupportedVersion);
}

TEST_CASE("a truncated envelope is refused as truncated wherever it is cut", "[envelope]") {
  const std::string sealed = sealBatch(sampleBatch(), kKey);
  for (std::size_t cut : {std::size_t{2}, std::size_t{5}, std::size_t{30}, std::size_t{59},
                          std::size_t{60}, sealed.size() / 2, sealed.size() - 1}) {
    INFO("cut at " << cut);
    CHECK(kindOf([&] { openEnvelope(sealed.substr(0, cut), kKey); }) ==
          EnvelopeErrorKind::kTruncated);
  }
}

TEST_CASE("an oversize envelope is refused before any work", "[envelope]") {
  const std::string sealed = sealBatch(sampleBatch(), kKey);
  EnvelopeLimits limits;
  limits.maxSealedBytes = sealed.size() - 1;
  CHECK(kindOf([&] { openEnvelope(sealed, kKey, limits); }) == EnvelopeErrorKind::kOversize);
}

TEST_CASE("a payload that inflates past the limit is refused as oversize", "[envelope]") {
  // A small envelope whose payload decompresses to 2 MB of spaces.
  const std::string bomb = std::string(2u << 20, ' ');
  std::array<unsigned char, internal::kNonceSize> nonce{};
  const std::string sealed = internal::sealPayload(17, 42, bomb, true, kKey, nonce);
  CHECK(sealed.size() < 10'000);
  EnvelopeLimits limits;
  limits.maxOpenedBytes = 1u << 20;
  CHECK(kindOf([&] { openEnvelope(sealed, kKey, limits); }) == EnvelopeErrorKind::kOversize);
  // An uncompressed payload over the limit is refused too.
  const std::string plain = internal::sealPayload(17, 42, bomb, false, kKey, nonce);
  CHECK(kindOf([&] { openEnvelope(plain, kKey, limits); }) == EnvelopeErrorKind::kOversize);
}

TEST_CASE("an envelope sealed with another key is refused as wrong key", "[envelope]") {
  const std::string sealed = sealBatch(sampleBatch(), keyFilledWith(0x22));
  CHECK(kindOf([&] { openEnvelope(sealed, kKey); }) == EnvelopeErrorKind::kWrongKey);
}

TEST_CASE("any altered byte is refused as tampered", "[envelope]") {
  const std::string sealed = sealBatch(sampleBatch(), kKey);
  // batch number in the header (bound as associated data), nonce, ciphertext, tag
  for (std::size_t at :
       {std::size_t{23}, std::size_t{40}, std::size_t{60}, sealed.size() / 2, sealed.size() - 1}) {
    std::string altered = sealed;
    altered[at] = static_cast<char>(altered[at] ^ 0x01);
    INFO("byte " << at);
    CHECK(kindOf([&] { openEnvelope(altered, kKey); }) == EnvelopeErrorKind::kTampered);
  }
}

TEST_CASE("a payload that disagrees with its header is refused as bad payload", "[envelope]") {
  std::array<unsigned char, internal::kNonceSize> nonce{};
  // Sealed correctly for header batch 43, but the payload says 42.
  const std::string sealed =
      internal::sealPayload(17, 43, encodeBatch(sampleBatch(17, 42)), true, kKey, nonce);
  CHECK(kindOf([&] { openEnvelope(sealed, kKey); }) == EnvelopeErrorKind::kBadPayload);
  const std::string notJson = internal::sealPayload(17, 42, "not json", true, kKey, nonce);
  CHECK(kindOf([&] { openEnvelope(notJson, kKey); }) == EnvelopeErrorKind::kBadPayload);
}

TEST_CASE("batch 0 in the header is refused as garbage", "[envelope]") {
  // Client 0 is tested with the other garbage; batch 0 has its own half of
  // the check.
  std::string zeroBatch = sealBatch(sampleBatch(), kKey);
  putBigEndian(zeroBatch, 16, 8, 0);
  const Refusal r = refusalOf([&] { peekHeader(zeroBatch); });
  CHECK(r.kind == EnvelopeErrorKind::kGarbage);
  CHECK_THAT(r.message, Catch::Equals("envelope header names client or batch 0"));
}

TEST_CASE("a ciphertext shorter than its tag is refused as garbage", "[envelope]") {
  // Declared length and size agree, so only the tag check stands between
  // openEnvelope and a plaintext length of n - 16 wrapping around.
  const std::string sealed = sealBatch(sampleBatch(), kKey);
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, internal::kTagSize - 1}) {
    INFO("ciphertext of " << n << " bytes");
    std::string shortCipher = sealed.substr(0, internal::kHeaderSize + n);
    putBigEndian(shortCipher, 56, 4, n);
    const Refusal r = refusalOf([&] { openEnvelope(shortCipher, kKey); });
    CHECK(r.kind == EnvelopeErrorKind::kGarbage);
    CHECK_THAT(r.message, Catch::Equals("envelope ciphertext shorter than its tag"));
  }
}

TEST_CASE("a cut, garbled or overlong deflate stream is refused, each with its own message",
          "[envelope]") {
  std::array<unsigned char, internal::kNonceSize> nonce{};
  const std::string stream = internal::deflate(encodeBatch(sampleBatch()));
  const auto sealedStream = [&](const std::string& body) {
    return internal::sealBody(17, 42, body, internal::kFlagDeflate, kKey, nonce);
  };
  REQUIRE(openEnvelope(sealedStream(stream), kKey).batch == sampleBatch());

  // Cut anywhere: before the stream starts, after the zlib header only
  // (nothing inflated yet), in the middle, inside the Adler-32 trailer.
  for (const std::size_t cut :
       {std::size_t{0}, std::size_t{2}, stream.size() / 2, stream.size() - 1}) {
    INFO("stream cut at " << cut << " of " << stream.size() << " bytes");
    const Refusal r = refusalOf([&] { openEnvelope(sealedStream(stream.substr(0, cut)), kKey); });
    CHECK(r.kind == EnvelopeErrorKind::kBadPayload);
    CHECK_THAT(r.message, Catch::Equals("payload ends inside its compressed stream"));
  }

  const Refusal notDeflate =
      refusalOf([&] { openEnvelope(sealedStream("plain text, not deflate"), kKey); });
  CHECK(notDeflate.kind == EnvelopeErrorKind::kBadPayload);
  CHECK_THAT(notDeflate.message, Catch::Equals("payload does not decompress"));

  // The complete stream with bytes after it: everything before them
  // inflates to a valid batch.
  const Refusal trailing = refusalOf([&] { openEnvelope(sealedStream(stream + "xyz"), kKey); });
  CHECK(trailing.kind == EnvelopeErrorKind::kBadPayload);
  CHECK_THAT(trailing.message, Catch::Equals("bytes after the compressed payload"));
}

TEST_CASE("the published test vector seals to these exact bytes", "[envelope]") {
  // shared/README.md publishes this vector for other implementations.
  std::array<unsigned char, Key::kSize> keyBytes{};
  for (std::size_t i = 0; i < keyBytes.size(); ++i) keyBytes[i] = static_cast<unsigned char>(i);
  const ClientKey key(keyBytes);
  std::array<unsigned char, internal::kNonceSize> nonce{};
  for (std::size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<unsigned char>(0xa0 + i);
  const std::string payload =
      R"({"format":1,"client_id":7,"batch_seq":1,"client_version":"test","created_at":"2026-01-01T00:00:00.000Z","items":[]})";
  const std::string sealed = internal::sealPayload(7, 1, payload, false, key, nonce);
  // Computed independently (Python: hashlib.blake2b + PyNaCl), not copied from this code.
  CHECK(openmps::util::toHex(sealed.substr(0, 60)) ==
        "4f4d504501000000"                                  // magic, version 1, flags 0, reserved
        "0000000000000007"                                  // client id 7
        "0000000000000001"                                  // batch 1
        "e3d55b0998dd9bf8"                                  // key id
        "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7"  // nonce
        "00000083");                                        // 131 bytes of ciphertext
  CHECK(openmps::util::toHex(sealed.substr(60)) ==
        "3ece6c72c530c5d843551ca55353cfa95ec4eb73c362e8e32a6ca98586d79d5e8ef4cf5e647c4de08788023ffe"
        "5adb71d3"
        "43548ab307be85c095758f5a5550af44119419cd9f0d59c60d3e4e427f0e4ffe51f778272f8b330bc3163da76e"
        "2c003a7c"
        "9e54e917f9655e38a7aa7df70692c244f1a9287319f2de0d87161cb4a5d0dd316f");
  CHECK(openEnvelope(sealed, key).batch.clientVersion == "test");
}
