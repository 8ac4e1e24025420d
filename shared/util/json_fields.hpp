#pragma once

// Strict, path-aware reading of untrusted JSON (batches, readings,
// enrollment strings): a parser that refuses anything not strict JSON, and
// field access whose error names the field ("items[3].reading.counters.total")
// but formats that path only when it throws. Writing JSON is nlohmann's job.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

// JsonDocument: a strict parser into a flat, read-only tree that borrows
// unescaped strings from the text (json_document.cpp). It accepts exactly
// what nlohmann::json::parse accepts (strict RFC 8259, well-formed UTF-8, a
// leading byte order mark skipped, duplicate keys resolved to the last one)
// and refuses the rest; test/fuzz/json_document_fuzz.cpp holds it to that.

enum class JsonType : std::uint8_t {
  kNull,
  kBoolean,
  kInteger,   // negative, fits int64
  kUnsigned,  // non-negative, fits uint64
  kFloat,     // anything else that is a number
  kString,
  kArray,
  kObject
};

class JsonDocument;

// One value in a JsonDocument; a cheap handle, valid while the document is.
class JsonValue {
 public:
  JsonValue(const JsonDocument& doc, std::uint32_t index) : doc_(&doc), index_(index) {}

  JsonType type() const;
  // As nlohmann::json::type_name() says it ("number", "object", ...).
  const char* typeName() const;
  bool isNull() const { return type() == JsonType::kNull; }
  bool isObject() const { return type() == JsonType::kObject; }
  bool isArray() const { return type() == JsonType::kArray; }
  bool isString() const { return type() == JsonType::kString; }

  bool boolean() const;
  std::int64_t integer() const;           // kInteger
  std::uint64_t unsignedInteger() const;  // kUnsigned
  double number() const;                  // kFloat
  std::string_view string() const;        // kString, unescaped
  // Elements of an array or members of an object (duplicates included).
  std::size_t size() const;
  // For a member of an object: its key.
  std::string_view key() const;
  // The object's last member named key that is not null, if any.
  std::optional<JsonValue> find(std::string_view key) const;

  // Iteration over the elements of an array or the members of an object.
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = JsonValue;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = JsonValue;

    Iterator(const JsonDocument& doc, std::uint32_t index) : doc_(&doc), index_(index) {}
    JsonValue operator*() const { return {*doc_, index_}; }
    Iterator& operator++();
    bool operator==(const Iterator& other) const { return index_ == other.index_; }

   private:
    const JsonDocument* doc_;
    std::uint32_t index_;
  };
  Iterator begin() const;
  Iterator end() const;

 private:
  const JsonDocument* doc_;
  std::uint32_t index_;
};

class JsonDocument {
 public:
  // Throws JsonFieldError(what, "not valid JSON at byte N") or
  // (what, "nested deeper than maxDepth").
  JsonDocument(std::string_view text, std::string_view what, std::size_t maxDepth = 32);
  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;
  ~JsonDocument();

  JsonValue root() const { return {*this, 0}; }

 private:
  friend class JsonValue;
  struct Node;
  std::vector<Node> nodes_;
  std::deque<std::string> unescaped_;  // strings that had escapes; stable addresses
  class Parser;
};

// Where a value sits in its document, formatted only for an error
// ("items[3].reading.counters.total"). A chain of these lives on the stack
// of the code walking the document; each points at its parent.
class JsonPath {
 public:
  explicit JsonPath(std::string_view root = {}) : root_(root) {}
  JsonPath(const JsonPath& parent, std::string_view key) : parent_(&parent), key_(key) {}
  JsonPath(const JsonPath& parent, std::size_t index)
      : parent_(&parent), index_(index), isIndex_(true) {}

  std::string str() const;
  std::string child(std::string_view key) const { return JsonPath(*this, key).str(); }

 private:
  const JsonPath* parent_ = nullptr;
  std::string_view root_;
  std::string_view key_;
  std::size_t index_ = 0;
  bool isIndex_ = false;
};

std::string stringAt(JsonValue value, const JsonPath& path, std::size_t maxLength);
std::int64_t intAt(JsonValue value, const JsonPath& path, std::int64_t min, std::int64_t max);

// One object of a JsonDocument, read strictly: wrong types, lengths and
// ranges throw JsonFieldError naming the field. Keeps a reference to its
// path: children made from it must not outlive it.
class JsonFields {
 public:
  JsonFields(JsonValue value, const JsonPath& path);

  const JsonPath& path() const { return path_; }
  JsonValue value() const { return value_; }
  std::optional<JsonValue> find(std::string_view key) const { return value_.find(key); }

  std::string requireString(std::string_view key, std::size_t maxLength) const;
  std::string optionalString(std::string_view key, std::size_t maxLength) const;
  std::int64_t requireInt(std::string_view key, std::int64_t min, std::int64_t max) const;
  std::optional<std::int64_t> optionalInt(std::string_view key, std::int64_t min,
                                          std::int64_t max) const;
  std::optional<bool> optionalBool(std::string_view key) const;
  // The array at key, at most maxItems long; nullopt when missing.
  std::optional<JsonValue> optionalArray(std::string_view key, std::size_t maxItems) const;
  JsonValue requireArray(std::string_view key, std::size_t maxItems) const;
  // The value at key, to be read with JsonFields (which checks that it is
  // an object); nullopt when missing.
  std::optional<JsonValue> optionalObject(std::string_view key) const;
  JsonValue requireObject(std::string_view key) const;

 private:
  JsonValue value_;
  const JsonPath& path_;
};

}  // namespace openmps::util
