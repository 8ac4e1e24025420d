#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "shared/util/secret.hpp"

// The local UI's password: an Argon2id hash (libsodium crypto_pwhash_str)
// in a file of its own beside the configuration, mode 0600, so only the
// service user can read it. Until a password is set, a one-time setup code
// (printed to the log at start) is the only way to set one: whoever can read
// the daemon's log is the machine's administrator.
namespace openmps::client::local_ui {

struct PasswordCost {
  std::uint64_t iterations = 3;         // crypto_pwhash opslimit
  std::size_t memoryBytes = 64u << 20;  // memlimit
};

inline constexpr std::size_t kMinPasswordLength = 10;
inline constexpr std::size_t kMaxPasswordLength = 1024;

// The problem with a new password in words, or "".
std::string passwordProblem(const util::Secret& password);

// Random tokens and comparisons from libsodium.
std::string randomToken(std::size_t bytes = 32);  // base64url, no padding
bool equalConstantTime(std::string_view a, std::string_view b);
// "XXXX-XXXX-XXXX": 12 characters from an alphabet without look-alikes.
std::string newSetupCode();

class PasswordFile {
 public:
  explicit PasswordFile(std::filesystem::path path, PasswordCost cost = {});

  bool isSet() const;
  bool verify(const util::Secret& password) const;
  // Writes the hash atomically, mode 0600; throws std::runtime_error naming
  // the file when it cannot.
  void set(const util::Secret& password);

  const std::filesystem::path& path() const { return path_; }

 private:
  std::string readHash() const;

  std::filesystem::path path_;
  PasswordCost cost_;
  mutable std::mutex mutex_;
};

// The setup code of this start: present while no password is set, gone for
// good once one was set with it.
class SetupCode {
 public:
  explicit SetupCode(std::string code) : code_(std::move(code)) {}
  bool matches(std::string_view given) const;
  void consume();
  bool active() const;

 private:
  mutable std::mutex mutex_;
  std::string code_;
};

}  // namespace openmps::client::local_ui
