#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// PostgreSQL array literals ('{"a","b",NULL}'), so a whole column of a
// batch travels as one parameter and unnest() turns the columns into rows.
namespace openmps::server::store {

class PgArray {
 public:
  void add(std::string_view text);
  void add(std::int64_t number);
  void addNull();
  template <typename T>
  void add(const std::optional<T>& value) {
    if (value) {
      add(static_cast<std::int64_t>(*value));
    } else {
      addNull();
    }
  }
  std::string str() const { return body_ + "}"; }
  std::size_t size() const { return count_; }

 private:
  void separator();
  std::string body_ = "{";
  std::size_t count_ = 0;
};

}  // namespace openmps::server::store
