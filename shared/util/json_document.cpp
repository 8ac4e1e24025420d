// The strict JSON parser behind util::JsonDocument (json_fields.hpp): one
// pass, no recursion (depth is counted, not stacked), a flat node array.
#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "shared/util/json_fields.hpp"

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

}  // namespace openmps::util
