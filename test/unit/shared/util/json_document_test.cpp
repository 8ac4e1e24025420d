#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "fuzz/json_reference.hpp"
#include "shared/model/counter_names.hpp"
#include "shared/model/reading_json.hpp"
#include "shared/util/json_fields.hpp"

using namespace openmps;
using nlohmann::json;
using util::JsonDocument;
using util::JsonFieldError;
using util::JsonFields;
using util::JsonPath;
using util::JsonType;
using util::JsonValue;

namespace {

using test::referenceParse;
using test::toNlohmann;

std::optional<json> reference(const std::string& text) {
  return referenceParse(text, 1000);
}

// Both parsers agree on text: the same verdict, and the same tree.
void agrees(const std::string& text) {
  INFO("input: " << text);
  const auto expected = reference(text);
  std::optional<json> got;
  try {
    const JsonDocument doc(text, "doc", 1000);
    got = toNlohmann(doc.root());
  } catch (const JsonFieldError& e) {
    // The byte is where this parser stopped, nlohmann names the end of
    // the token it could not use: both point at the problem.
    CHECK_THAT(e.what(), Catch::StartsWith("doc: not valid JSON at byte "));
  }
  REQUIRE(got.has_value() == expected.has_value());
  if (got) {
    CHECK(*got == *expected);
    CHECK(got->dump() == expected->dump());
  }
}

std::string message(const std::function<void()>& f) {
  try {
    f();
  } catch (const JsonFieldError& e) {
    return e.what();
  }
  return "(accepted)";
}

const std::string kSampleBatch =
    R"({"format":1,"client_id":17,"batch_seq":42,"created_at":"2026-11-22T08:00:00Z","items":[)"
    R"({"seq":1,"reading":{"kind":"meter","read_at":"2026-11-22T08:00:00.250Z",)"
    R"("origin":{"client_id":"17","address":"192.0.2.1:161","pmd":"hp"},)"
    R"("identity":{"serial":"VN\u00e9 \"x\"","model":"M\u00fcller 3","location":"B\u00fcro \ud83d\ude00"},)"
    R"("counters":{"total":15232,"mono":15232,"scan.total":1190},)"
    R"("supplies":[{"index":1,"description":"Black","level":28,"max":100,"level_percent":28,"state":"ok"}],)"
    R"("status":{"printer_status":"idle","errors":["lowToner"],"alerts":[{"index":3,"code":-1104}]},)"
    R"("capabilities":{"color":false,"duplex":true,"input_trays":2,"finishers":[]},"notes":["n\t1"]}}]})";

}  // namespace

TEST_CASE("the document parser accepts what nlohmann accepts, and builds the same tree", "[json]") {
  for (const std::string& text : std::vector<std::string>{
           "{}", "[]", "0", "-0", "1", "-1", "true", "false", "null", "\"\"", "  {\"a\" : 1 }\n",
           "1.5", "-1.5e3", "1E+2", "2e-2", "9223372036854775807", "9223372036854775808",
           "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
           "18446744073709551616", "1e400", "-1e400", "1e-400", "-2.5e-330",
           "[1,[2,[3,{}]],{\"a\":[]}]", R"({"a":1,"a":2})", R"({"a":1,"a":null})",
           R"({"a":{"b":1},"a":{"c":2}})", R"("\u0000\b\f\n\r\t\"\\\/")", R"("\ud83d\ude00")",
           R"("\u00e9\u20ac")", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "\xef\xbb\xbf{}",
           kSampleBatch,
           // and what it refuses
           "", " ", "{", "}", "[", "]", "[1,]", "{\"a\":1,}", "{,}", "[,1]", "01", "-", "1.", ".5",
           "1e", "+1", "0x10", "tru", "truex", "nul", "NaN", "Infinity", "{\"a\"}", "{\"a\" 1}",
           "{1:2}", "{'a':1}", "[1 2]", "{} {}", "1 2", "\"abc", "\"\\x\"", "\"\\u12\"",
           "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"", "\"a\tb\"", "\"a\nb\"",
           std::string("\"a\0b\"", 5), "\"\xc3\"", "\"\xc3\x28\"", "\"\xc0\x80\"",
           "\"\xe0\x80\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"",
           "\"\xff\"", "\xef\xbb{}", "\xef{}", "/* c */ 1", "1 // c", "[1]]", "{\"a\":1}}",
           "\x01"}) {
    agrees(text);
  }
}

TEST_CASE("the document parser agrees with nlohmann on mangled batches", "[json]") {
  std::mt19937 random(20261123);
  const std::string alphabet =
      "{}[]\",:\\u0123456789.-+eEtrufalsn \t\n\xc3\xa9\xed\xa0\xbf\x80\xf0";
  for (int round = 0; round < 3000; ++round) {
    std::string text = kSampleBatch;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = random() % (text.size() + 1);
      const char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        case 1:
          if (at < text.size()) text.erase(at, 1);
          break;
        default:
          if (at < text.size()) text[at] = c;
      }
    }
    agrees(text);
  }
}

TEST_CASE("a NUL byte after the document is refused, not taken as its end", "[json]") {
  // nlohmann stops reading at a NUL byte outside strings and accepts
  // "{}\0anything"; nothing legitimate sends that, so this parser is stricter.
  CHECK(message([] { JsonDocument d(std::string("{}\0x", 4), "b"); }) ==
        "b: not valid JSON at byte 3");
  CHECK(message([] { JsonDocument d(std::string("1\0", 2), "b"); }) ==
        "b: not valid JSON at byte 2");
}

TEST_CASE("the document parser reports depth and syntax like parseJson", "[json]") {
  const std::string deep = std::string(40, '[') + std::string(40, ']');
  CHECK(message([&] { JsonDocument d(deep, "batch"); }) == "batch: nested deeper than 32");
  CHECK(message([&] { JsonDocument d(deep.substr(1), "batch"); }) ==
        "batch: not valid JSON at byte 79");
  CHECK(message([&] { JsonDocument d(std::string(32, '[') + std::string(32, ']'), "b"); }) ==
        "(accepted)");
  CHECK(message([] { JsonDocument d("{\"kind\":", "reading"); }) ==
        "reading: not valid JSON at byte 9");
  CHECK(message([] { JsonDocument d("[1,x]", "reading"); }) == "reading: not valid JSON at byte 4");
}

// What each accessor says about each kind of value: the messages the
// nlohmann-based reader this replaced gave, pinned (generated from it while
// both existed, when a test held them equal).
struct Expected {
  const char* root;
  const char* key;
  const char* accessor;
  const char* message;
};
const Expected kExpected[] = {
    {"", "s", "requireString", "s: longer than 2 bytes"},
    {"", "s", "optionalString", "(accepted)"},
    {"", "s", "requireInt", "s: expected an integer, got string"},
    {"", "s", "optionalInt", "s: expected an integer, got string"},
    {"", "s", "optionalBool", "s: expected true or false, got string"},
    {"", "s", "optionalArray", "s: expected an array, got string"},
    {"", "s", "requireArray", "s: expected an array, got string"},
    {"", "s", "requireObject", "s: expected an object, got string"},
    {"", "n", "requireString", "n: expected a string, got number"},
    {"", "n", "optionalString", "n: expected a string, got number"},
    {"", "n", "requireInt", "(accepted)"},
    {"", "n", "optionalInt", "(accepted)"},
    {"", "n", "optionalBool", "n: expected true or false, got number"},
    {"", "n", "optionalArray", "n: expected an array, got number"},
    {"", "n", "requireArray", "n: expected an array, got number"},
    {"", "n", "requireObject", "n: expected an object, got number"},
    {"", "big", "requireString", "big: expected a string, got number"},
    {"", "big", "optionalString", "big: expected a string, got number"},
    {"", "big", "requireInt", "big: integer too large"},
    {"", "big", "optionalInt", "big: integer too large"},
    {"", "big", "optionalBool", "big: expected true or false, got number"},
    {"", "big", "optionalArray", "big: expected an array, got number"},
    {"", "big", "requireArray", "big: expected an array, got number"},
    {"", "big", "requireObject", "big: expected an object, got number"},
    {"", "neg", "requireString", "neg: expected a string, got number"},
    {"", "neg", "optionalString", "neg: expected a string, got number"},
    {"", "neg", "requireInt", "neg: value -7 outside -5..6"},
    {"", "neg", "optionalInt", "neg: value -7 outside 0..100"},
    {"", "neg", "optionalBool", "neg: expected true or false, got number"},
    {"", "neg", "optionalArray", "neg: expected an array, got number"},
    {"", "neg", "requireArray", "neg: expected an array, got number"},
    {"", "neg", "requireObject", "neg: expected an object, got number"},
    {"", "f", "requireString", "f: expected a string, got number"},
    {"", "f", "optionalString", "f: expected a string, got number"},
    {"", "f", "requireInt", "f: expected an integer, got number"},
    {"", "f", "optionalInt", "f: expected an integer, got number"},
    {"", "f", "optionalBool", "f: expected true or false, got number"},
    {"", "f", "optionalArray", "f: expected an array, got number"},
    {"", "f", "requireArray", "f: expected an array, got number"},
    {"", "f", "requireObject", "f: expected an object, got number"},
    {"", "b", "requireString", "b: expected a string, got boolean"},
    {"", "b", "optionalString", "b: expected a string, got boolean"},
    {"", "b", "requireInt", "b: expected an integer, got boolean"},
    {"", "b", "optionalInt", "b: expected an integer, got boolean"},
    {"", "b", "optionalBool", "(accepted)"},
    {"", "b", "optionalArray", "b: expected an array, got boolean"},
    {"", "b", "requireArray", "b: expected an array, got boolean"},
    {"", "b", "requireObject", "b: expected an object, got boolean"},
    {"", "z", "requireString", "z: missing"},
    {"", "z", "optionalString", "(accepted)"},
    {"", "z", "requireInt", "z: missing"},
    {"", "z", "optionalInt", "(accepted)"},
    {"", "z", "optionalBool", "(accepted)"},
    {"", "z", "optionalArray", "(accepted)"},
    {"", "z", "requireArray", "z: missing"},
    {"", "z", "requireObject", "z: missing"},
    {"", "a", "requireString", "a: expected a string, got array"},
    {"", "a", "optionalString", "a: expected a string, got array"},
    {"", "a", "requireInt", "a: expected an integer, got array"},
    {"", "a", "optionalInt", "a: expected an integer, got array"},
    {"", "a", "optionalBool", "a: expected true or false, got array"},
    {"", "a", "optionalArray", "a: more than 2 entries"},
    {"", "a", "requireArray", "(accepted)"},
    {"", "a", "requireObject", "a: expected an object, got array"},
    {"", "o", "requireString", "o: expected a string, got object"},
    {"", "o", "optionalString", "o: expected a string, got object"},
    {"", "o", "requireInt", "o: expected an integer, got object"},
    {"", "o", "optionalInt", "o: expected an integer, got object"},
    {"", "o", "optionalBool", "o: expected true or false, got object"},
    {"", "o", "optionalArray", "o: expected an array, got object"},
    {"", "o", "requireArray", "o: expected an array, got object"},
    {"", "o", "requireObject", "(accepted)"},
    {"", "dup", "requireString", "dup: longer than 2 bytes"},
    {"", "dup", "optionalString", "(accepted)"},
    {"", "dup", "requireInt", "dup: expected an integer, got string"},
    {"", "dup", "optionalInt", "dup: expected an integer, got string"},
    {"", "dup", "optionalBool", "dup: expected true or false, got string"},
    {"", "dup", "optionalArray", "dup: expected an array, got string"},
    {"", "dup", "requireArray", "dup: expected an array, got string"},
    {"", "dup", "requireObject", "dup: expected an object, got string"},
    {"", "none", "requireString", "none: missing"},
    {"", "none", "optionalString", "(accepted)"},
    {"", "none", "requireInt", "none: missing"},
    {"", "none", "optionalInt", "(accepted)"},
    {"", "none", "optionalBool", "(accepted)"},
    {"", "none", "optionalArray", "(accepted)"},
    {"", "none", "requireArray", "none: missing"},
    {"", "none", "requireObject", "none: missing"},
    {"items[3].reading", "big", "requireString",
     "items[3].reading.big: expected a string, got number"},
    {"items[3].reading", "big", "optionalString",
     "items[3].reading.big: expected a string, got number"},
    {"items[3].reading", "big", "requireInt", "items[3].reading.big: integer too large"},
    {"items[3].reading", "big", "optionalInt", "items[3].reading.big: integer too large"},
    {"items[3].reading", "big", "optionalBool",
     "items[3].reading.big: expected true or false, got number"},
    {"items[3].reading", "big", "optionalArray",
     "items[3].reading.big: expected an array, got number"},
    {"items[3].reading", "big", "requireArray",
     "items[3].reading.big: expected an array, got number"},
    {"items[3].reading", "big", "requireObject",
     "items[3].reading.big: expected an object, got number"},
    {"items[3].reading", "o", "requireString", "items[3].reading.o: expected a string, got object"},
    {"items[3].reading", "o", "optionalString",
     "items[3].reading.o: expected a string, got object"},
    {"items[3].reading", "o", "requireInt", "items[3].reading.o: expected an integer, got object"},
    {"items[3].reading", "o", "optionalInt", "items[3].reading.o: expected an integer, got object"},
    {"items[3].reading", "o", "optionalBool",
     "items[3].reading.o: expected true or false, got object"},
    {"items[3].reading", "o", "optionalArray", "items[3].reading.o: expected an array, got object"},
    {"items[3].reading", "o", "requireArray", "items[3].reading.o: expected an array, got object"},
    {"items[3].reading", "o", "requireObject", "(accepted)"},
    {"items[3].reading", "none", "requireString", "items[3].reading.none: missing"},
    {"items[3].reading", "none", "optionalString", "(accepted)"},
    {"items[3].reading", "none", "requireInt", "items[3].reading.none: missing"},
    {"items[3].reading", "none", "optionalInt", "(accepted)"},
    {"items[3].reading", "none", "optionalBool", "(accepted)"},
    {"items[3].reading", "none", "optionalArray", "(accepted)"},
    {"items[3].reading", "none", "requireArray", "items[3].reading.none: missing"},
    {"items[3].reading", "none", "requireObject", "items[3].reading.none: missing"},
};

TEST_CASE("JsonFields names the field and the problem", "[json]") {
  const std::string text =
      R"({"s":"abc","n":5,"big":18446744073709551615,"neg":-7,"f":1.5,"b":true,"z":null,)"
      R"("a":[1,2,3],"o":{"x":1},"dup":1,"dup":"two"})";
  const JsonDocument doc(text, "t");
  for (const auto& want : kExpected) {
    const JsonPath path(want.root);
    const JsonFields now(doc.root(), path);
    const std::string key = want.key;
    const std::string accessor = want.accessor;
    INFO(accessor << "(" << key << ") under '" << want.root << "'");
    std::function<void()> call;
    if (accessor == "requireString") call = [&] { (void)now.requireString(key, 2); };
    if (accessor == "optionalString") call = [&] { (void)now.optionalString(key, 8); };
    if (accessor == "requireInt") call = [&] { (void)now.requireInt(key, -5, 6); };
    if (accessor == "optionalInt") call = [&] { (void)now.optionalInt(key, 0, 100); };
    if (accessor == "optionalBool") call = [&] { (void)now.optionalBool(key); };
    if (accessor == "optionalArray") call = [&] { (void)now.optionalArray(key, 2); };
    if (accessor == "requireArray") call = [&] { (void)now.requireArray(key, 5); };
    if (accessor == "requireObject") {
      call = [&] {
        const JsonValue v = now.requireObject(key);
        const JsonPath p(path, key);
        (void)JsonFields(v, p);
      };
    }
    REQUIRE(call);
    CHECK(message(call) == want.message);
  }
  CHECK(message([&] {
          const JsonPath p;
          (void)JsonFields(*doc.root().find("a"), p);
        }) == "$: expected an object, got array");
}

TEST_CASE("error paths are formatted only when needed, and exactly", "[json]") {
  const JsonPath root;
  const JsonPath items(root, "items");
  const JsonPath third(items, std::size_t{3});
  const JsonPath reading(third, "reading");
  const JsonPath counters(reading, "counters");
  CHECK(JsonPath(counters, "total").str() == "items[3].reading.counters.total");
  CHECK(JsonPath(JsonPath(root, std::size_t{0}), "x").str() == "[0].x");
  CHECK(JsonPath("r").child("k") == "r.k");
  CHECK(root.str().empty());
}

TEST_CASE("a reading with escapes, duplicates and unicode decodes as nlohmann saw it",
          "[json][model]") {
  const std::string text =
      R"({"kind":"meter","read_at":"2026-11-22T10:00:00Z","identity":{"serial":"A\"1\u00e9",)"
      R"("serial":"B2"},"counters":{"total":5,"mono":1,"total":7},"notes":["a\\b"]})";
  const model::Reading r = model::readingFromJson(text);
  CHECK(r.identity.serial == "B2");
  CHECK(r.counters == model::Counters{{"mono", 1}, {"total", 7}});
  CHECK(r.notes == std::vector<std::string>{"a\\b"});
  CHECK(
      message([] {
        (void)model::readingFromJson(
            R"({"kind":"meter","read_at":"2026-11-22T10:00:00Z","identity":{},"counters":{"total":1,"pages":2}})");
      }) == "counters.pages: " + model::counterNameProblem("pages"));
}
