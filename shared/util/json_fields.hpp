#pragma once

// Strict, path-aware access to untrusted JSON. Include from .cpp files only:
// it pulls in nlohmann/json, which is too heavy for public headers.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace openmps::util {

// A field was missing, of the wrong type, too long or out of range.
// path() names it ("items[3].reading.counters.total").
class JsonFieldError : public std::runtime_error {
 public:
  JsonFieldError(std::string path, const std::string& problem)
      : std::runtime_error(path + ": " + problem), path_(std::move(path)) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A view of one JSON object with its path, for reading fields strictly.
class JsonObject {
 public:
  JsonObject(const nlohmann::json& value, std::string path);

  const std::string& path() const { return path_; }
  std::string childPath(std::string_view key) const;
  bool has(std::string_view key) const;
  const nlohmann::json* find(std::string_view key) const;

  std::string requireString(std::string_view key, std::size_t maxLength) const;
  std::string optionalString(std::string_view key, std::size_t maxLength) const;
  std::int64_t requireInt(std::string_view key, std::int64_t min, std::int64_t max) const;
  std::optional<std::int64_t> optionalInt(std::string_view key, std::int64_t min,
                                          std::int64_t max) const;
  std::optional<bool> optionalBool(std::string_view key) const;
  // The array at key (missing means empty), at most maxItems long.
  const nlohmann::json& optionalArray(std::string_view key, std::size_t maxItems) const;
  const nlohmann::json& requireArray(std::string_view key, std::size_t maxItems) const;
  JsonObject requireObject(std::string_view key) const;
  std::optional<JsonObject> optionalObject(std::string_view key) const;

 private:
  const nlohmann::json& value_;
  std::string path_;
};

std::string indexPath(const std::string& path, std::size_t index);
std::string stringAt(const nlohmann::json& value, const std::string& path, std::size_t maxLength);
std::int64_t intAt(const nlohmann::json& value, const std::string& path, std::int64_t min,
                   std::int64_t max);
// Parses text as JSON with a depth limit; errors name "what" and the offset.
nlohmann::json parseJson(std::string_view text, std::string_view what, std::size_t maxDepth = 32);

}  // namespace openmps::util
