#include "shared/util/json_fields.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace openmps::util {
namespace {

const char* typeName(const nlohmann::json& v) {
  return v.type_name();
}

}  // namespace

JsonObject::JsonObject(const nlohmann::json& value, std::string path)
    : value_(value), path_(std::move(path)) {
  if (!value_.is_object()) {
    throw JsonFieldError(path_.empty() ? "$" : path_,
                         std::string("expected an object, got ") + typeName(value_));
  }
}

std::string JsonObject::childPath(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool JsonObject::has(std::string_view key) const {
  return find(key) != nullptr;
}

const nlohmann::json* JsonObject::find(std::string_view key) const {
  const auto it = value_.find(key);
  if (it == value_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string stringAt(const nlohmann::json& value, const std::string& path, std::size_t maxLength) {
  if (!value.is_string()) {
    throw JsonFieldError(path, std::string("expected a string, got ") + typeName(value));
  }
  const auto& s = value.get_ref<const std::string&>();
  if (s.size() > maxLength) {
    throw JsonFieldError(path, "longer than " + std::to_string(maxLength) + " bytes");
  }
  return s;
}

std::int64_t intAt(const nlohmann::json& value, const std::string& path, std::int64_t min,
                   std::int64_t max) {
  std::int64_t n = 0;
  if (value.is_number_integer() && !value.is_number_unsigned()) {
    n = value.get<std::int64_t>();
  } else if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) throw JsonFieldError(path, "integer too large");
    n = static_cast<std::int64_t>(u);
  } else {
    throw JsonFieldError(path, std::string("expected an integer, got ") + typeName(value));
  }
  if (n < min || n > max) {
    throw JsonFieldError(path, "value " + std::to_string(n) + " outside " + std::to_string(min) +
                                   ".." + std::to_string(max));
  }
  return n;
}

std::string indexPath(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string JsonObject::requireString(std::string_view key, std::size_t maxLength) const {
  const auto* v = find(key);
  if (v == nullptr) throw JsonFieldError(childPath(key), "missing");
  return stringAt(*v, childPath(key), maxLength);
}

std::string JsonObject::optionalString(std::string_view key, std::size_t maxLength) const {
  const auto* v = find(key);
  return v == nullptr ? std::string() : stringAt(*v, childPath(key), maxLength);
}

std::int64_t JsonObject::requireInt(std::string_view key, std::int64_t min,
                                    std::int64_t max) const {
  const auto* v = find(key);
  if (v == nullptr) throw JsonFieldError(childPath(key), "missing");
  return intAt(*v, childPath(key), min, max);
}

std::optional<std::int64_t> JsonObject::optionalInt(std::string_view key, std::int64_t min,
                                                    std::int64_t max) const {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  return intAt(*v, childPath(key), min, max);
}

std::optional<bool> JsonObject::optionalBool(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    throw JsonFieldError(childPath(key),
                         std::string("expected true or false, got ") + typeName(*v));
  }
  return v->get<bool>();
}

const nlohmann::json& JsonObject::optionalArray(std::string_view key, std::size_t maxItems) const {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  const auto* v = find(key);
  if (v == nullptr) return kEmpty;
  if (!v->is_array()) {
    throw JsonFieldError(childPath(key), std::string("expected an array, got ") + typeName(*v));
  }
  if (v->size() > maxItems) {
    throw JsonFieldError(childPath(key), "more than " + std::to_string(maxItems) + " entries");
  }
  return *v;
}

const nlohmann::json& JsonObject::requireArray(std::string_view key, std::size_t maxItems) const {
  if (find(key) == nullptr) throw JsonFieldError(childPath(key), "missing");
  return optionalArray(key, maxItems);
}

JsonObject JsonObject::requireObject(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr) throw JsonFieldError(childPath(key), "missing");
  return JsonObject(*v, childPath(key));
}

std::optional<JsonObject> JsonObject::optionalObject(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  return JsonObject(*v, childPath(key));
}

nlohmann::json parseJson(std::string_view text, std::string_view what, std::size_t maxDepth) {
  std::size_t depth = 0;
  bool tooDeep = false;
  auto limit = [&](int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& /*parsed*/) {
    if (event == nlohmann::json::parse_event_t::object_start ||
        event == nlohmann::json::parse_event_t::array_start) {
      if (++depth > maxDepth) tooDeep = true;
    } else if (event == nlohmann::json::parse_event_t::object_end ||
               event == nlohmann::json::parse_event_t::array_end) {
      --depth;
    }
    return !tooDeep;
  };
  try {
    auto value = nlohmann::json::parse(text.begin(), text.end(), limit, true, false);
    if (tooDeep) {
      throw JsonFieldError(std::string(what), "nested deeper than " + std::to_string(maxDepth));
    }
    return value;
  } catch (const nlohmann::json::parse_error& e) {
    throw JsonFieldError(std::string(what), "not valid JSON at byte " + std::to_string(e.byte));
  } catch (const nlohmann::json::out_of_range&) {
    // nlohmann reports a number beyond double's range this way, not as a
    // parse error; untrusted input must still end in a JsonFieldError.
    throw JsonFieldError(std::string(what), "not valid JSON: a number too large to represent");
  }
}

}  // namespace openmps::util

// ---------------------------------------------------------------------------
// JsonDocument

namespace openmps::util {

struct JsonDocument::Node {
  JsonType type = JsonType::kNull;
  bool boolean = false;
  std::uint32_t end = 0;    // index past this node's subtree
  std::uint32_t count = 0;  // elements or members
  std::uint64_t bits = 0;   // the number: int64, uint64 or double, by type
  std::string_view key;     // when a member of an object
  std::string_view text;    // kString
};

namespace {

// Thrown inside the parser; turned into JsonFieldError with the caller's
// "what" (the byte is 1-based, like nlohmann's).
struct ParseFailure {
  std::size_t byte;
};

bool isWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

class JsonDocument::Parser {
 public:
  Parser(JsonDocument& doc, std::string_view text, std::size_t maxDepth)
      : doc_(doc), text_(text), maxDepth_(maxDepth) {}

  // Returns whether the document nests deeper than maxDepth (still parsed
  // to the end: a syntax error anywhere wins, as with nlohmann).
  bool run() {
    if (!text_.empty() && byte(0) == 0xEF) {  // a UTF-8 byte order mark, skipped
      if (text_.size() < 3 || byte(1) != 0xBB || byte(2) != 0xBF)
        fail(std::min<std::size_t>(text_.size(), 3));
      pos_ = 3;
    }
    std::string_view key;
    for (;;) {
      skipWhitespace();
      if (pos_ >= text_.size()) fail(pos_);
      const char c = text_[pos_];
      if (c == '{' || c == '[') {
        const std::uint32_t index = addNode(c == '{' ? JsonType::kObject : JsonType::kArray, key);
        open_.push_back(index);
        if (open_.size() > maxDepth_) tooDeep_ = true;
        ++pos_;
        skipWhitespace();
        if (pos_ < text_.size() && text_[pos_] == (c == '{' ? '}' : ']')) {
          ++pos_;
          close();
        } else {
          key = c == '{' ? parseKey() : std::string_view();
          continue;
        }
      } else {
        parseScalar(key);
      }
      // A value is complete: close what ends here, then find the next one.
      for (;;) {
        skipWhitespace();
        if (open_.empty()) {
          if (pos_ != text_.size()) fail(pos_);
          return tooDeep_;
        }
        if (pos_ >= text_.size()) fail(pos_);
        const bool inObject = doc_.nodes_[open_.back()].type == JsonType::kObject;
        const char next = text_[pos_];
        if (next == ',') {
          ++pos_;
          key = inObject ? parseKey() : std::string_view();
          break;
        }
        if (next != (inObject ? '}' : ']')) fail(pos_);
        ++pos_;
        close();
      }
    }
  }

 private:
  [[noreturn]] static void fail(std::size_t pos) { throw ParseFailure{pos + 1}; }

  unsigned char byte(std::size_t i) const { return static_cast<unsigned char>(text_[i]); }

  void skipWhitespace() {
    while (pos_ < text_.size() && isWhitespace(text_[pos_])) ++pos_;
  }

  std::uint32_t addNode(JsonType type, std::string_view key) {
    if (doc_.nodes_.size() >= UINT32_MAX - 1) fail(pos_);
    const auto index = static_cast<std::uint32_t>(doc_.nodes_.size());
    Node& node = doc_.nodes_.emplace_back();
    node.type = type;
    node.key = key;
    node.end = index + 1;
    if (!open_.empty()) ++doc_.nodes_[open_.back()].count;
    return index;
  }

  void close() {
    doc_.nodes_[open_.back()].end = static_cast<std::uint32_t>(doc_.nodes_.size());
    open_.pop_back();
  }

  std::string_view parseKey() {
    skipWhitespace();
    if (pos_ >= text_.size() || text_[pos_] != '"') fail(pos_);
    const std::string_view key = parseString();
    skipWhitespace();
    if (pos_ >= text_.size() || text_[pos_] != ':') fail(pos_);
    ++pos_;
    return key;
  }

  void parseScalar(std::string_view key) {
    const char c = text_[pos_];
    if (c == '"') {
      const std::string_view s = parseString();
      doc_.nodes_[addNode(JsonType::kString, key)].text = s;
    } else if (c == 't') {
      literal("true");
      doc_.nodes_[addNode(JsonType::kBoolean, key)].boolean = true;
    } else if (c == 'f') {
      literal("false");
      addNode(JsonType::kBoolean, key);
    } else if (c == 'n') {
      literal("null");
      addNode(JsonType::kNull, key);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      parseNumber(key);
    } else {
      fail(pos_);
    }
  }

  void literal(std::string_view word) {
    for (const char w : word) {
      if (pos_ >= text_.size() || text_[pos_] != w) fail(pos_);
      ++pos_;
    }
  }

  void digits() {
    if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') fail(pos_);
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
  }

  void parseNumber(std::string_view key) {
    const std::size_t start = pos_;
    const bool negative = text_[pos_] == '-';
    if (negative) ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '0') {
      ++pos_;
    } else {
      digits();
    }
    bool integral = true;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      digits();
      integral = false;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      digits();
      integral = false;
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    const std::uint32_t index = addNode(JsonType::kFloat, key);
    Node& node = doc_.nodes_[index];
    if (integral) {
      if (negative) {
        std::int64_t v = 0;
        if (std::from_chars(first, last, v).ec == std::errc()) {
          node.type = JsonType::kInteger;
          node.bits = static_cast<std::uint64_t>(v);
          return;
        }
      } else {
        std::uint64_t v = 0;
        if (std::from_chars(first, last, v).ec == std::errc()) {
          node.type = JsonType::kUnsigned;
          node.bits = v;
          return;
        }
      }
    }
    double d = 0;
    if (std::from_chars(first, last, d).ec == std::errc::result_out_of_range) {
      // Beyond double's range nlohmann refuses the document; below it, the
      // number is a zero.
      d = std::strtod(std::string(first, last).c_str(), nullptr);
      if (!std::isfinite(d)) fail(start);
    }
    node.bits = std::bit_cast<std::uint64_t>(d);
  }

  // At the opening quote; leaves pos_ after the closing one. Returns a view
  // of the text itself unless the string has escapes.
  std::string_view parseString() {
    ++pos_;
    const std::size_t start = pos_;
    std::string* out = nullptr;
    std::size_t copiedTo = start;  // text before this is in *out
    for (;;) {
      if (pos_ >= text_.size()) fail(pos_);
      const unsigned char c = byte(pos_);
      if (c == '"') {
        if (out == nullptr) {
          const std::string_view s = text_.substr(start, pos_ - start);
          ++pos_;
          return s;
        }
        out->append(text_.substr(copiedTo, pos_ - copiedTo));
        ++pos_;
        return *out;
      }
      if (c < 0x20) fail(pos_);
      if (c < 0x80 && c != '\\') {
        ++pos_;
        continue;
      }
      if (c >= 0x80) {
        utf8Sequence();
        continue;
      }
      // An escape.
      if (out == nullptr) out = &doc_.unescaped_.emplace_back();
      out->append(text_.substr(copiedTo, pos_ - copiedTo));
      ++pos_;
      if (pos_ >= text_.size()) fail(pos_);
      const char e = text_[pos_];
      if (e == 'u') {
        appendUtf8(*out, codepoint());
      } else {
        *out += unescaped(e);
        ++pos_;
      }
      copiedTo = pos_;
    }
  }

  char unescaped(char e) const {
    switch (e) {
      case '"': return '"';
      case '\\': return '\\';
      case '/': return '/';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      default: fail(pos_);
    }
  }

  // At the 'u' of \uXXXX; leaves pos_ after the escape (and after the low
  // surrogate's escape when the first was a high one).
  std::uint32_t codepoint() {
    const std::uint32_t first = hex4();
    if (first >= 0xDC00 && first <= 0xDFFF) fail(pos_ - 1);  // a low surrogate alone
    if (first < 0xD800 || first > 0xDBFF) return first;
    if (pos_ + 1 >= text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') {
      fail(std::min(pos_ + 1, text_.size()));
    }
    ++pos_;
    const std::uint32_t second = hex4();
    if (second < 0xDC00 || second > 0xDFFF) fail(pos_ - 1);
    return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
  }

  // At the 'u'; reads it and four hex digits.
  std::uint32_t hex4() {
    ++pos_;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      if (pos_ >= text_.size()) fail(pos_);
      const int d = hexDigit(text_[pos_]);
      if (d < 0) fail(pos_);
      v = (v << 4) | static_cast<std::uint32_t>(d);
      ++pos_;
    }
    return v;
  }

  // A multi-byte UTF-8 character, well-formed per RFC 3629 (no overlong
  // forms, no surrogates, nothing above U+10FFFF).
  void utf8Sequence() {
    const unsigned char c = byte(pos_);
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    int continuation = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      continuation = 1;
    } else if (c == 0xE0) {
      continuation = 2;
      low = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      continuation = 2;
    } else if (c == 0xED) {
      continuation = 2;
      high = 0x9F;
    } else if (c == 0xF0) {
      continuation = 3;
      low = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      continuation = 3;
    } else if (c == 0xF4) {
      continuation = 3;
      high = 0x8F;
    } else {
      fail(pos_);
    }
    ++pos_;
    for (int i = 0; i < continuation; ++i) {
      if (pos_ >= text_.size()) fail(pos_);
      const unsigned char b = byte(pos_);
      if (b < low || b > high) fail(pos_);
      low = 0x80;
      high = 0xBF;
      ++pos_;
    }
  }

  JsonDocument& doc_;
  std::string_view text_;
  std::size_t maxDepth_;
  std::size_t pos_ = 0;
  bool tooDeep_ = false;
  std::vector<std::uint32_t> open_;
};

JsonDocument::JsonDocument(std::string_view text, std::string_view what, std::size_t maxDepth) {
  // A batch payload has about one node per 17 bytes: reserving for one per
  // 12 saves the copies of a growing vector (a few percent of the decode).
  nodes_.reserve(text.size() / 12 + 1);
  bool tooDeep = false;
  try {
    tooDeep = Parser(*this, text, maxDepth).run();
  } catch (const ParseFailure& e) {
    throw JsonFieldError(std::string(what), "not valid JSON at byte " + std::to_string(e.byte));
  }
  if (tooDeep) {
    throw JsonFieldError(std::string(what), "nested deeper than " + std::to_string(maxDepth));
  }
}

JsonDocument::~JsonDocument() = default;

JsonType JsonValue::type() const {
  return doc_->nodes_[index_].type;
}

const char* JsonValue::typeName() const {
  switch (type()) {
    case JsonType::kNull: return "null";
    case JsonType::kBoolean: return "boolean";
    case JsonType::kInteger:
    case JsonType::kUnsigned:
    case JsonType::kFloat: return "number";
    case JsonType::kString: return "string";
    case JsonType::kArray: return "array";
    case JsonType::kObject: return "object";
  }
  return "unknown";
}

bool JsonValue::boolean() const {
  return doc_->nodes_[index_].boolean;
}

std::int64_t JsonValue::integer() const {
  return static_cast<std::int64_t>(doc_->nodes_[index_].bits);
}

std::uint64_t JsonValue::unsignedInteger() const {
  return doc_->nodes_[index_].bits;
}

double JsonValue::number() const {
  return std::bit_cast<double>(doc_->nodes_[index_].bits);
}

std::string_view JsonValue::string() const {
  return doc_->nodes_[index_].text;
}

std::size_t JsonValue::size() const {
  return doc_->nodes_[index_].count;
}

std::string_view JsonValue::key() const {
  return doc_->nodes_[index_].key;
}

std::optional<JsonValue> JsonValue::find(std::string_view key) const {
  std::optional<JsonValue> found;
  for (const JsonValue member : *this) {
    if (member.key() == key) found = member;  // the last one counts, as in nlohmann
  }
  if (found && found->isNull()) return std::nullopt;
  return found;
}

JsonValue::Iterator& JsonValue::Iterator::operator++() {
  index_ = doc_->nodes_[index_].end;
  return *this;
}

JsonValue::Iterator JsonValue::begin() const {
  const auto& node = doc_->nodes_[index_];
  const bool container = node.type == JsonType::kArray || node.type == JsonType::kObject;
  return {*doc_, container ? index_ + 1 : node.end};
}

JsonValue::Iterator JsonValue::end() const {
  return {*doc_, doc_->nodes_[index_].end};
}

std::string JsonPath::str() const {
  if (parent_ == nullptr) return std::string(root_);
  std::string base = parent_->str();
  if (isIndex_) return base + "[" + std::to_string(index_) + "]";
  if (base.empty()) return std::string(key_);
  base += '.';
  base += key_;
  return base;
}

std::string stringAt(JsonValue value, const JsonPath& path, std::size_t maxLength) {
  if (!value.isString()) {
    throw JsonFieldError(path.str(), std::string("expected a string, got ") + value.typeName());
  }
  const std::string_view s = value.string();
  if (s.size() > maxLength) {
    throw JsonFieldError(path.str(), "longer than " + std::to_string(maxLength) + " bytes");
  }
  return std::string(s);
}

std::int64_t intAt(JsonValue value, const JsonPath& path, std::int64_t min, std::int64_t max) {
  std::int64_t n = 0;
  if (value.type() == JsonType::kInteger) {
    n = value.integer();
  } else if (value.type() == JsonType::kUnsigned) {
    const auto u = value.unsignedInteger();
    if (u > static_cast<std::uint64_t>(INT64_MAX))
      throw JsonFieldError(path.str(), "integer too large");
    n = static_cast<std::int64_t>(u);
  } else {
    throw JsonFieldError(path.str(), std::string("expected an integer, got ") + value.typeName());
  }
  if (n < min || n > max) {
    throw JsonFieldError(path.str(), "value " + std::to_string(n) + " outside " +
                                         std::to_string(min) + ".." + std::to_string(max));
  }
  return n;
}

JsonFields::JsonFields(JsonValue value, const JsonPath& path) : value_(value), path_(path) {
  if (!value_.isObject()) {
    std::string where = path_.str();
    throw JsonFieldError(where.empty() ? "$" : where,
                         std::string("expected an object, got ") + value_.typeName());
  }
}

std::string JsonFields::requireString(std::string_view key, std::size_t maxLength) const {
  const auto v = find(key);
  if (!v) throw JsonFieldError(path_.child(key), "missing");
  return stringAt(*v, JsonPath(path_, key), maxLength);
}

std::string JsonFields::optionalString(std::string_view key, std::size_t maxLength) const {
  const auto v = find(key);
  return v ? stringAt(*v, JsonPath(path_, key), maxLength) : std::string();
}

std::int64_t JsonFields::requireInt(std::string_view key, std::int64_t min,
                                    std::int64_t max) const {
  const auto v = find(key);
  if (!v) throw JsonFieldError(path_.child(key), "missing");
  return intAt(*v, JsonPath(path_, key), min, max);
}

std::optional<std::int64_t> JsonFields::optionalInt(std::string_view key, std::int64_t min,
                                                    std::int64_t max) const {
  const auto v = find(key);
  if (!v) return std::nullopt;
  return intAt(*v, JsonPath(path_, key), min, max);
}

std::optional<bool> JsonFields::optionalBool(std::string_view key) const {
  const auto v = find(key);
  if (!v) return std::nullopt;
  if (v->type() != JsonType::kBoolean) {
    throw JsonFieldError(path_.child(key),
                         std::string("expected true or false, got ") + v->typeName());
  }
  return v->boolean();
}

std::optional<JsonValue> JsonFields::optionalArray(std::string_view key,
                                                   std::size_t maxItems) const {
  const auto v = find(key);
  if (!v) return std::nullopt;
  if (!v->isArray()) {
    throw JsonFieldError(path_.child(key), std::string("expected an array, got ") + v->typeName());
  }
  if (v->size() > maxItems) {
    throw JsonFieldError(path_.child(key), "more than " + std::to_string(maxItems) + " entries");
  }
  return v;
}

JsonValue JsonFields::requireArray(std::string_view key, std::size_t maxItems) const {
  if (!find(key)) throw JsonFieldError(path_.child(key), "missing");
  return *optionalArray(key, maxItems);
}

std::optional<JsonValue> JsonFields::optionalObject(std::string_view key) const {
  return find(key);
}

JsonValue JsonFields::requireObject(std::string_view key) const {
  const auto v = find(key);
  if (!v) throw JsonFieldError(path_.child(key), "missing");
  return *v;
}

}  // namespace openmps::util
