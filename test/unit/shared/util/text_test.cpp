#include "shared/util/text.hpp"

#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "shared/util/log.hpp"

using namespace openmps::util;

TEST_CASE("escapeForLog makes control characters and bad bytes visible", "[util][text]") {
  using namespace std::string_literals;
  CHECK(escapeForLog("plain text: 42 (ok) \\ /") == "plain text: 42 (ok) \\ /");
  CHECK(escapeForLog("a\nb\r\tc") == "a\\x0ab\\x0d\\x09c");
  CHECK(escapeForLog("mps.submit\n<3>error server: forged") ==
        "mps.submit\\x0a<3>error server: forged");
  CHECK(escapeForLog("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m");
  CHECK(escapeForLog("nul\0here"s) == "nul\\x00here");
  CHECK(escapeForLog("del\x7f") == "del\\x7f");
  CHECK(escapeForLog("B\xFCro \xFF") == "B\\xfcro \\xff");   // invalid UTF-8
  CHECK(escapeForLog("\xC0\xAF") == "\\xc0\\xaf");           // overlong '/'
  CHECK(escapeForLog("\xED\xA0\x80") == "\\xed\\xa0\\x80");  // a surrogate
  CHECK(escapeForLog("\xE2\x82") == "\\xe2\\x82");           // cut short
  CHECK(escapeForLog("B\xC3\xBCro 20\xE2\x82\xAC \xE6\x97\xA5") ==
        "B\xC3\xBCro 20\xE2\x82\xAC \xE6\x97\xA5");
  // C1 controls, line separators and bidi overrides.
  CHECK(escapeForLog("a\xC2\x85"
                     "b") == "a\\u{0085}b");
  CHECK(escapeForLog("a\xE2\x80\xA8"
                     "b") == "a\\u{2028}b");
  CHECK(escapeForLog("\xE2\x80\xAEtxt.exe") == "\\u{202E}txt.exe");
}

TEST_CASE("escapeForLog is idempotent", "[util][text]") {
  for (const std::string& s : {std::string("a\nb\xFF\x1b"), std::string("\\x0a"),
                               std::string("\xE2\x80\xAE\xC2\x85"), std::string(1, '\0')}) {
    const std::string once = escapeForLog(s);
    CHECK(escapeForLog(once) == once);
    CHECK(isValidUtf8(once));
    CHECK(once.find('\n') == std::string::npos);
  }
}

TEST_CASE("isValidUtf8", "[util][text]") {
  CHECK(isValidUtf8(""));
  CHECK(isValidUtf8("B\xC3\xBCro \xF0\x9F\x96\xA8"));
  CHECK_FALSE(isValidUtf8("B\xFCro"));
  CHECK_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(isValidUtf8("\xE0\x80\x80"));      // overlong
}

TEST_CASE("toValidUtf8 reads invalid UTF-8 as Windows-1252", "[util][text]") {
  CHECK(toValidUtf8("B\xC3\xBCro") == "B\xC3\xBCro");                  // valid: unchanged
  CHECK(toValidUtf8("B\xFCro") == "B\xC3\xBCro");                      // ISO-8859-1 ü
  CHECK(toValidUtf8("20\x80 \x99") == "20\xE2\x82\xAC \xE2\x84\xA2");  // € ™ of Windows-1252
  CHECK(toValidUtf8("x\x81y") == "x\xEF\xBF\xBDy");                    // undefined in Windows-1252
  CHECK(toValidUtf8("\xFF\xFE") == "\xC3\xBF\xC3\xBE");
  CHECK(isValidUtf8(toValidUtf8("\xC3\x28\xA0\xA1\xE2\x28\xA1")));
}

TEST_CASE("the log sink escapes every line, whatever the call site wrote", "[util][text]") {
  std::ostringstream captured;
  setLogSinkForTesting(&captured);
  logWarning("receiver") << "unknown method 'x\n<3>error server: forged\x1b\xFF'";
  setLogSinkForTesting(nullptr);
  CHECK(captured.str() ==
        "<4>warning receiver: unknown method 'x\\x0a<3>error server: forged\\x1b\\xff'\n");
}

TEST_CASE("truncateUtf8 never splits a character", "[util][text]") {
  std::string s = "ab\xC3\xBC";  // "abü": 4 bytes
  truncateUtf8(s, 3);
  CHECK(s == "ab");
  s = "ab\xC3\xBC";
  truncateUtf8(s, 4);
  CHECK(s == "ab\xC3\xBC");
  s = "\xE2\x82\xAC\xE2\x82\xAC";  // two euro signs
  truncateUtf8(s, 5);
  CHECK(s == "\xE2\x82\xAC");
}
