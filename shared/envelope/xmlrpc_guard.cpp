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

[[noreturn]] void fail(std::size_t offset, const std::string& what) {
  throw EnvelopeError(EnvelopeErrorKind::kBadCall,
                      "XML-RPC <i8> at byte " + std::to_string(offset) + " " + what);
}

// The text of one <i8> element, from just after its start tag.
void checkI8Content(std::string_view xml, std::string_view name, std::size_t start,
                    std::size_t tagOffset) {
  const std::size_t end = xml.find('<', start);
  if (end == std::string_view::npos) fail(tagOffset, "is not closed");
  if (xml.compare(end, 2, "</") != 0 || xml.compare(end + 2, name.size(), name) != 0) {
    fail(tagOffset, "holds markup, not a number");
  }
  std::size_t i = start;
  while (i < end && isBlank(xml[i])) ++i;
  if (i == end) return;  // empty: xmlrpc-c reports that cleanly
  if (xml[i] == '+' || xml[i] == '-') ++i;
  const std::size_t digitsFrom = i;
  while (i < end && isDigit(xml[i])) ++i;
  const std::size_t digits = i - digitsFrom;
  if (digits == 0 || i != end) fail(tagOffset, "is not a plain integer");
  if (digits > 18) fail(tagOffset, "has more digits than a 64-bit integer may");
}

}  // namespace

void rejectUnsafeXmlRpc(std::string_view xml) {
  for (std::size_t lt = xml.find('<'); lt != std::string_view::npos; lt = xml.find('<', lt + 1)) {
    std::size_t nameStart = lt + 1;
    std::size_t nameEnd = nameStart;
    while (nameEnd < xml.size() && !isBlank(xml[nameEnd]) && xml[nameEnd] != '>' &&
           xml[nameEnd] != '/') {
      ++nameEnd;
    }
    const std::string_view name = xml.substr(nameStart, nameEnd - nameStart);
    if (name != "i8" && name != "ex:i8") continue;
    const std::size_t close = xml.find('>', nameEnd);
    if (close == std::string_view::npos) fail(lt, "is not closed");
    if (xml[close - 1] == '/') continue;  // <i8/>: empty
    checkI8Content(xml, name, close + 1, lt);
  }
}

}  // namespace openmps::envelope
