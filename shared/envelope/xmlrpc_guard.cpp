#include "shared/envelope/xmlrpc_guard.hpp"

#include <string>

#include "shared/envelope/envelope_error.hpp"

namespace openmps::envelope {
namespace {

bool isBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isHexDigit(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool startsWith(std::string_view text, std::size_t at, std::string_view prefix) {
  return text.substr(at, prefix.size()) == prefix;
}

[[noreturn]] void fail(std::size_t offset, const std::string& what) {
  throw EnvelopeError(EnvelopeErrorKind::kBadCall,
                      "XML-RPC document refused at byte " + std::to_string(offset) + ": " + what);
}

class Scanner {
 public:
  Scanner(std::string_view xml, const XmlRpcShapeLimits& limits) : xml_(xml), limits_(limits) {}

  void run() {
    skipDeclaration();
    while (pos_ < xml_.size()) {
      const std::size_t lt = xml_.find('<', pos_);
      const std::size_t textEnd = lt == std::string_view::npos ? xml_.size() : lt;
      checkText(pos_, textEnd);
      if (lt == std::string_view::npos) break;
      markup(lt);
    }
  }

 private:
  void skipDeclaration() {
    if (startsWith(xml_, 0, "\xEF\xBB\xBF")) pos_ = 3;
    if (!startsWith(xml_, pos_, "<?xml") || pos_ + 5 >= xml_.size() ||
        !(isBlank(xml_[pos_ + 5]) || xml_[pos_ + 5] == '?')) {
      return;
    }
    const std::size_t end = xml_.find("?>", pos_);
    if (end == std::string_view::npos) fail(pos_, "the XML declaration is not closed");
    const std::size_t inner = xml_.find('<', pos_ + 1);
    if (inner < end) fail(inner, "'<' inside the XML declaration");
    pos_ = end + 2;
  }

  // Text between tags, or an attribute value: only predefined entities and
  // character references; no DTD exists to define any other.
  void checkText(std::size_t from, std::size_t to) {
    const std::string_view text = xml_.substr(from, to - from);
    for (std::size_t amp = text.find('&'); amp != std::string_view::npos;
         amp = text.find('&', amp + 1)) {
      checkReference(from + amp, to);
    }
  }

  void checkReference(std::size_t amp, std::size_t to) {
    // Bounded look-ahead keeps the pass linear: the longest reference is
    // "&#x10FFFF;".
    const std::size_t found = xml_.substr(amp, 12).find(';');
    const std::size_t semi = found == std::string_view::npos ? to : amp + found;
    if (semi >= to) fail(amp, "'&' that does not start a reference");
    const std::string_view name = xml_.substr(amp + 1, semi - amp - 1);
    if (name == "lt" || name == "gt" || name == "amp" || name == "quot" || name == "apos") return;
    if (name.size() >= 2 && name[0] == '#') {
      const bool hex = name[1] == 'x';
      const std::string_view digits = name.substr(hex ? 2 : 1);
      bool ok = !digits.empty();
      for (const char c : digits) ok = ok && (hex ? isHexDigit(c) : isDigit(c));
      if (ok) return;
    }
    fail(amp, "entity reference '&" + std::string(name.substr(0, 40)) +
                  ";' (only &lt; &gt; &amp; &quot; &apos; and character references)");
  }

  void markup(std::size_t lt) {
    if (lt + 1 >= xml_.size()) fail(lt, "'<' at the end of the document");
    const char next = xml_[lt + 1];
    if (next == '!') refuseDeclaration(lt);
    if (next == '?') {
      fail(lt, "processing instruction (only the XML declaration at the start is allowed)");
    }
    if (next == '/') {
      closingTag(lt);
    } else {
      openingTag(lt);
    }
  }

  [[noreturn]] static void refuseDeclaration(std::size_t lt) {
    fail(lt, "'<!' markup (DOCTYPE, ENTITY, comments and CDATA are not accepted)");
  }

  void closingTag(std::size_t lt) {
    const std::size_t gt = xml_.find('>', lt);
    if (gt == std::string_view::npos) fail(lt, "closing tag is not closed");
    const std::size_t inner = xml_.find('<', lt + 1);
    if (inner < gt) fail(inner, "'<' inside a tag");
    if (depth_ == 0) fail(lt, "closing tag without an opening one");
    --depth_;
    pos_ = gt + 1;
  }

  void openingTag(std::size_t lt) {
    std::size_t i = lt + 1;
    while (i < xml_.size() && !isBlank(xml_[i]) && xml_[i] != '>' && xml_[i] != '/' &&
           xml_[i] != '<') {
      ++i;
    }
    const std::string_view name = xml_.substr(lt + 1, i - lt - 1);
    if (name.empty()) fail(lt, "'<' without an element name");
    bool selfClosing = false;
    char quote = 0;
    for (;; ++i) {
      if (i >= xml_.size()) fail(lt, "tag <" + std::string(name.substr(0, 40)) + "> is not closed");
      const char c = xml_[i];
      if (quote != 0) {
        if (c == quote) quote = 0;
        if (c == '<') fail(i, "'<' inside an attribute value");
        if (c == '&') checkReference(i, xml_.size());
        continue;
      }
      if (c == '"' || c == '\'') quote = c;
      if (c == '<') fail(i, "'<' inside a tag");
      if (c == '>') {
        selfClosing = xml_[i - 1] == '/';
        break;
      }
    }
    if (++elements_ > limits_.maxElements) {
      fail(lt, "more than " + std::to_string(limits_.maxElements) + " elements");
    }
    pos_ = i + 1;
    if (selfClosing) return;
    if (++depth_ > limits_.maxDepth) {
      fail(lt, "elements nested deeper than " + std::to_string(limits_.maxDepth));
    }
    if (name == "i8" || name == "ex:i8") checkI8Content(name, lt);
  }

  // xmlrpc-c 1.33 crashes while reporting a malformed <i8>; its text must be
  // a plain integer, written literally.
  void checkI8Content(std::string_view name, std::size_t tagOffset) const {
    const std::size_t end = xml_.find('<', pos_);
    if (end == std::string_view::npos) fail(tagOffset, "<i8> is not closed");
    if (xml_.compare(end, 2, "</") != 0 || xml_.compare(end + 2, name.size(), name) != 0) {
      fail(tagOffset, "<i8> holds markup, not a number");
    }
    std::size_t i = pos_;
    while (i < end && isBlank(xml_[i])) ++i;
    if (i == end) return;  // empty: xmlrpc-c reports that cleanly
    if (xml_[i] == '+' || xml_[i] == '-') ++i;
    const std::size_t digitsFrom = i;
    while (i < end && isDigit(xml_[i])) ++i;
    const std::size_t digits = i - digitsFrom;
    if (digits == 0 || i != end) fail(tagOffset, "<i8> is not a plain integer");
    if (digits > 18) fail(tagOffset, "<i8> has more digits than a 64-bit integer may");
  }

  std::string_view xml_;
  XmlRpcShapeLimits limits_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  std::size_t elements_ = 0;
};

}  // namespace

void rejectUnsafeXmlRpc(std::string_view xml, const XmlRpcShapeLimits& limits) {
  Scanner(xml, limits).run();
}

}  // namespace openmps::envelope
