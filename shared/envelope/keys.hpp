#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

namespace openmps::envelope {

// A 32-byte symmetric key. Zeroed on destruction; never printed.
class Key {
 public:
  static constexpr std::size_t kSize = 32;
  Key() = default;
  explicit Key(const std::array<unsigned char, kSize>& bytes) : bytes_(bytes) {}
  Key(const Key&) = default;
  Key& operator=(const Key&) = default;
  ~Key();
  const std::array<unsigned char, kSize>& bytes() const { return bytes_; }
  bool operator==(const Key& other) const;  // constant time

 private:
  std::array<unsigned char, kSize> bytes_{};
};

using MasterKey = Key;
using ClientKey = Key;

MasterKey generateMasterKey();
// crypto_kdf with context "OMPSclnt" and the client id as subkey id: the
// server stores no per-client secret.
ClientKey deriveClientKey(const MasterKey& master, std::uint64_t clientId);

// Key files hold the key in base64 on one line; written with mode 0600.
void writeKeyFile(const std::filesystem::path& path, const Key& key);
// Errors name the file and what is wrong (missing, not base64, wrong length,
// readable by others).
Key readKeyFile(const std::filesystem::path& path);

std::string keyToBase64(const Key& key);
Key keyFromBase64(const std::string& text);  // throws std::invalid_argument

}  // namespace openmps::envelope
