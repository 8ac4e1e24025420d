#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>

// Which passwords a person may choose: 8 to 64 characters, at least three
// of the four classes (lower case, upper case, digits, anything else), not
// the user name, and not a common password or a common word dressed up
// with capitals, digits and symbols ("Sommer2024!", "P@ssw0rd1").
namespace openmps::server::auth {

struct PasswordRules {
  std::size_t minLength = 8;  // characters (code points), not bytes
  std::size_t maxLength = 64;
  int minClasses = 3;
};

class PasswordPolicy {
 public:
  // The built-in list of common passwords only.
  explicit PasswordPolicy(PasswordRules rules = {});

  // Adds a word list, one word a line (Debian's cracklib-runtime ships
  // /usr/share/dict/cracklib-small). Throws std::runtime_error naming the
  // file when it cannot be read.
  void addWordList(const std::filesystem::path& path);
  void addWord(std::string_view word);

  // Empty when the password is acceptable; otherwise what is wrong with it,
  // in words a person can act on (never repeating the password).
  std::string problem(std::string_view password, std::string_view username = {}) const;

  const PasswordRules& rules() const { return rules_; }
  std::size_t wordCount() const { return words_.size(); }

 private:
  bool isCommon(std::string_view password) const;

  PasswordRules rules_;
  std::unordered_set<std::string> words_;
};

// Number of UTF-8 code points; nullopt-like SIZE_MAX for invalid UTF-8.
std::size_t utf8Length(std::string_view text);

}  // namespace openmps::server::auth
