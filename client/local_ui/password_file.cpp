#include "client/local_ui/password_file.hpp"

#include <array>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <sodium.h>

#include "shared/util/files.hpp"

namespace openmps::client::local_ui {
namespace {

void initSodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

}  // namespace

std::string passwordProblem(const util::Secret& password) {
  const auto size = password.reveal().size();
  if (size < kMinPasswordLength) {
    return "at least " + std::to_string(kMinPasswordLength) + " characters";
  }
  if (size > kMaxPasswordLength) {
    return "at most " + std::to_string(kMaxPasswordLength) + " characters";
  }
  return {};
}

std::string randomToken(std::size_t bytes) {
  initSodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

bool equalConstantTime(std::string_view a, std::string_view b) {
  initSodium();
  std::array<unsigned char, crypto_generichash_BYTES> ha{};
  std::array<unsigned char, crypto_generichash_BYTES> hb{};
  crypto_generichash(ha.data(), ha.size(), reinterpret_cast<const unsigned char*>(a.data()),
                     a.size(), nullptr, 0);
  crypto_generichash(hb.data(), hb.size(), reinterpret_cast<const unsigned char*>(b.data()),
                     b.size(), nullptr, 0);
  return sodium_memcmp(ha.data(), hb.data(), ha.size()) == 0;
}

std::string newSetupCode() {
  initSodium();
  static constexpr std::string_view kAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  std::string code;
  for (int i = 0; i < 12; ++i) {
    if (i > 0 && i % 4 == 0) code += '-';
    code += kAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlphabet.size()))];
  }
  return code;
}

PasswordFile::PasswordFile(std::filesystem::path path, PasswordCost cost)
    : path_(std::move(path)), cost_(cost) {}

std::string PasswordFile::readHash() const {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return {};
  auto text = util::readFile(path_, crypto_pwhash_STRBYTES + 16);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

bool PasswordFile::isSet() const {
  const std::lock_guard lock(mutex_);
  return !readHash().empty();
}

bool PasswordFile::verify(const util::Secret& password) const {
  initSodium();
  std::string stored;
  {
    const std::lock_guard lock(mutex_);
    stored = readHash();
  }
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(stored.c_str(), password.reveal().data(),
                                  password.reveal().size()) == 0;
}

void PasswordFile::set(const util::Secret& password) {
  initSodium();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), password.reveal().data(), password.reveal().size(),
                        cost_.iterations, cost_.memoryBytes) != 0) {
    throw std::runtime_error(path_.string() + ": hashing the password ran out of memory");
  }
  const std::lock_guard lock(mutex_);
  util::writeFileAtomically(path_, std::string(out.data()) + "\n", 0600);
}

bool SetupCode::matches(std::string_view given) const {
  const std::lock_guard lock(mutex_);
  return !code_.empty() && equalConstantTime(code_, given);
}

void SetupCode::consume() {
  const std::lock_guard lock(mutex_);
  sodium_memzero(code_.data(), code_.size());
  code_.clear();
}

bool SetupCode::active() const {
  const std::lock_guard lock(mutex_);
  return !code_.empty();
}

}  // namespace openmps::client::local_ui
