#include "server/auth/password_policy.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "server/auth/common_passwords.hpp"

namespace openmps::server::auth {
namespace {

constexpr std::size_t kMaxWordLength = 64;

bool isAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string lowerAscii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// Drops digits and symbols (ASCII non-letters) from the ends.
std::string stripEnds(std::string_view text, bool front = true) {
  std::size_t b = 0;
  std::size_t e = text.size();
  while (front && b < e && !isAsciiLetter(text[b]) && static_cast<unsigned char>(text[b]) < 0x80) {
    ++b;
  }
  while (e > b && !isAsciiLetter(text[e - 1]) && static_cast<unsigned char>(text[e - 1]) < 0x80) {
    --e;
  }
  return std::string(text.substr(b, e - b));
}

// l33t spelling back to letters: "p@ssw0rd" -> "password".
std::string unLeet(std::string_view text) {
  static constexpr std::string_view kFrom = "01!34@5$7";
  static constexpr std::string_view kTo = "oiieaasst";
  std::string out(text);
  for (char& c : out) {
    if (const auto at = kFrom.find(c); at != std::string_view::npos) c = kTo[at];
  }
  return out;
}

int characterClasses(std::string_view password) {
  bool lower = false;
  bool upper = false;
  bool digit = false;
  bool other = false;
  for (const char c : password) {
    if (c >= 'a' && c <= 'z') {
      lower = true;
    } else if (c >= 'A' && c <= 'Z') {
      upper = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      other = true;  // symbols, spaces and every non-ASCII character
    }
  }
  return int{lower} + int{upper} + int{digit} + int{other};
}

}  // namespace

std::size_t utf8Length(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = 0;
    if (c < 0x80) {
      len = 1;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      len = 4;
    } else {
      return std::numeric_limits<std::size_t>::max();
    }
    if (i + len > text.size()) return std::numeric_limits<std::size_t>::max();
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) {
        return std::numeric_limits<std::size_t>::max();
      }
    }
    i += len;
    ++count;
  }
  return count;
}

PasswordPolicy::PasswordPolicy(PasswordRules rules) : rules_(rules) {
  for (const std::string_view word : commonPasswords()) addWord(word);
}

void PasswordPolicy::addWord(std::string_view word) {
  while (!word.empty() && (word.back() == '\r' || word.back() == ' ')) word.remove_suffix(1);
  if (word.size() >= 3 && word.size() <= kMaxWordLength) words_.insert(lowerAscii(word));
}

void PasswordPolicy::addWordList(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot read the word list");
  std::string line;
  while (std::getline(in, line)) addWord(line);
  if (in.bad()) throw std::runtime_error(path.string() + ": read error in the word list");
}

bool PasswordPolicy::isCommon(std::string_view password) const {
  const std::string lower = lowerAscii(password);
  const std::string stripped = stripEnds(lower);
  const std::string candidates[] = {lower, stripped, unLeet(stripped),
                                    stripEnds(unLeet(stripEnds(lower, false)))};
  return std::any_of(std::begin(candidates), std::end(candidates),
                     [&](const std::string& c) { return c.size() >= 3 && words_.contains(c); });
}

std::string PasswordPolicy::problem(std::string_view password, std::string_view username) const {
  const std::size_t length = utf8Length(password);
  if (length == std::numeric_limits<std::size_t>::max()) {
    return "the password is not valid UTF-8";
  }
  if (length < rules_.minLength) {
    return "the password is shorter than " + std::to_string(rules_.minLength) + " characters";
  }
  if (length > rules_.maxLength) {
    return "the password is longer than " + std::to_string(rules_.maxLength) + " characters";
  }
  for (const char c : password) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return "the password contains a control character";
    }
  }
  if (characterClasses(password) < rules_.minClasses) {
    return "the password needs characters of at least " + std::to_string(rules_.minClasses) +
           " of these kinds: lower case, upper case, digits, other characters";
  }
  const std::string lowerName = lowerAscii(username);
  if (lowerName.size() >= 3 && lowerAscii(password).find(lowerName) != std::string::npos) {
    return "the password contains the user name";
  }
  if (isCommon(password)) {
    return "the password is a common password or a common word with digits or symbols added";
  }
  return {};
}

}  // namespace openmps::server::auth
