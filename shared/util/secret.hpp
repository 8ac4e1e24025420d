#pragma once

#include <ostream>
#include <string>
#include <utility>

namespace openmps::util {

// Holds a password, key or enrollment string. Printing it shows a
// placeholder, so a secret cannot reach a log line by accident; reading the
// value takes an explicit reveal().
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&&) noexcept = default;
  Secret& operator=(Secret&&) noexcept = default;
  ~Secret();

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  friend std::ostream& operator<<(std::ostream& out, const Secret& secret) {
    return out << (secret.empty() ? "(empty)" : "(secret)");
  }

 private:
  std::string value_;
};

}  // namespace openmps::util
