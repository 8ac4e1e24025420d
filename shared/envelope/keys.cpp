#include "shared/envelope/keys.hpp"

#include <stdexcept>

#include <sodium.h>
#include <sys/stat.h>

#include "shared/util/base64.hpp"
#include "shared/util/files.hpp"

namespace openmps::envelope {
namespace {

constexpr char kClientKeyContext[crypto_kdf_CONTEXTBYTES + 1] = "OMPSclnt";

void initSodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

Key::~Key() {
  sodium_memzero(bytes_.data(), bytes_.size());
}

bool Key::operator==(const Key& other) const {
  return sodium_memcmp(bytes_.data(), other.bytes_.data(), kSize) == 0;
}

MasterKey generateMasterKey() {
  initSodium();
  std::array<unsigned char, Key::kSize> bytes{};
  crypto_kdf_keygen(bytes.data());
  Key key(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

ClientKey deriveClientKey(const MasterKey& master, std::uint64_t clientId) {
  static_assert(crypto_kdf_KEYBYTES == Key::kSize);
  initSodium();
  std::array<unsigned char, Key::kSize> bytes{};
  crypto_kdf_derive_from_key(bytes.data(), bytes.size(), clientId, kClientKeyContext,
                             master.bytes().data());
  Key key(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

std::string keyToBase64(const Key& key) {
  return util::toBase64(
      std::string_view(reinterpret_cast<const char*>(key.bytes().data()), Key::kSize));
}

Key keyFromBase64(const std::string& text) {
  auto bytes = util::fromBase64(text);
  if (!bytes) throw std::invalid_argument("key is not base64");
  if (bytes->size() != Key::kSize) {
    const auto size = bytes->size();
    sodium_memzero(bytes->data(), bytes->size());
    throw std::invalid_argument("key has " + std::to_string(size) + " bytes, expected 32");
  }
  std::array<unsigned char, Key::kSize> raw{};
  std::copy(bytes->begin(), bytes->end(), raw.begin());
  sodium_memzero(bytes->data(), bytes->size());
  Key key(raw);
  sodium_memzero(raw.data(), raw.size());
  return key;
}

void writeKeyFile(const std::filesystem::path& path, const Key& key) {
  std::string text = keyToBase64(key) + "\n";
  util::writeFileAtomically(path, text, 0600);
  sodium_memzero(text.data(), text.size());
}

Key readKeyFile(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw std::runtime_error(path.string() + ": key file missing or unreadable");
  }
  if ((st.st_mode & 077) != 0) {
    throw std::runtime_error(path.string() +
                             ": key file is readable by group or others; run chmod 600 on it");
  }
  std::string text = util::readFile(path, 4096);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  try {
    Key key = keyFromBase64(text);
    sodium_memzero(text.data(), text.size());
    return key;
  } catch (const std::invalid_argument& e) {
    sodium_memzero(text.data(), text.size());
    throw std::runtime_error(path.string() + ": " + e.what());
  }
}

}  // namespace openmps::envelope
