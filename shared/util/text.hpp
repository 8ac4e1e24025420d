#pragma once

#include <string>
#include <string_view>

// Text that came from outside (a device, a client, a mailbox, a browser) on
// its way into a log line, a store or a JSON document.
namespace openmps::util {

// The one escaping for log lines, used by client and server for every value
// that came from outside (and applied once more by the log sink to every
// line, so no call site can forget it). Makes visible and harmless:
// control characters (newline, carriage return, tab, ESC, NUL, DEL) and
// invalid UTF-8 bytes as \xNN; C1 controls, the Unicode line and paragraph
// separators and the bidirectional controls as \u{NNNN}. Valid printable
// UTF-8 (including "ü", "€", "日本") passes unchanged, and so does a
// backslash: the result is printable, so escaping it again changes
// nothing.
std::string escapeForLog(std::string_view text);

bool isValidUtf8(std::string_view text);

// Device strings as valid UTF-8: valid UTF-8 stays as it is; anything else
// is read as Windows-1252 (the superset of ISO-8859-1 that printers send),
// byte by byte, so "B\xFCro" becomes "Büro" instead of being dropped. The
// five bytes Windows-1252 leaves undefined become U+FFFD.
std::string toValidUtf8(std::string_view text);

// Shortens valid UTF-8 to at most maxBytes without splitting a character.
void truncateUtf8(std::string& text, std::size_t maxBytes);

}  // namespace openmps::util
