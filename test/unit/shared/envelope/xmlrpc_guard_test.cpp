#include "shared/envelope/xmlrpc_guard.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/xmlrpc_call.hpp"

using namespace openmps::envelope;

namespace {
std::string responseWith(const std::string& value) {
  return "<?xml version=\"1.0\"?><methodResponse><params><param><value>" + value +
         "</value></param></params></methodResponse>";
}
std::string callWith(const std::string& value) {
  return "<?xml version=\"1.0\"?><methodCall><methodName>mps.submit</methodName><params><param>"
         "<value>" +
         value + "</value></param></params></methodCall>";
}
}  // namespace

// Each of these crashed xmlrpc-c 1.33 inside its own error path (found by
// fuzz_submit_response); they must be refused before xmlrpc-c sees them.
TEST_CASE("malformed i8 values never reach xmlrpc-c", "[xmlrpc]") {
  for (const char* bad : {"<i8>1x</i8>", "<i8>x</i8>", "<i8>-</i8>", "<i8>1 </i8>",
                          "<i8>1&#120;</i8>", "<i8><![CDATA[1x]]></i8>", "<ex:i8>1x</ex:i8>",
                          "<i8 >1x</i8>", "<i8>99999999999999999999</i8>", "<i8>12"}) {
    INFO(bad);
    CHECK_THROWS_MATCHES(decodeSubmitResponse(responseWith(bad)), EnvelopeError,
                         Catch::Predicate<EnvelopeError>([](const EnvelopeError& e) {
                           return e.kind() == EnvelopeErrorKind::kBadCall;
                         }));
    CHECK_THROWS_AS(decodeSubmitCall(callWith(bad)), EnvelopeError);
    CHECK_THROWS_AS(rejectUnsafeXmlRpc(responseWith(bad)), EnvelopeError);
  }
}

TEST_CASE("well-formed i8 values pass the guard", "[xmlrpc]") {
  for (const char* good : {"<i8>42</i8>", "<i8> -7</i8>", "<i8>+9</i8>", "<i8></i8>", "<i8/>",
                           "<ex:i8>123456789012345678</ex:i8>", "<int>1x</int>", "<i88>x</i88>"}) {
    INFO(good);
    CHECK_NOTHROW(rejectUnsafeXmlRpc(responseWith(good)));
  }
}

namespace {
// The byte offset an EnvelopeError from the guard names.
std::string refusal(const std::string& xml, const XmlRpcShapeLimits& limits = {}) {
  try {
    rejectUnsafeXmlRpc(xml, limits);
  } catch (const EnvelopeError& e) {
    CHECK(e.kind() == EnvelopeErrorKind::kBadCall);
    return e.what();
  }
  return "accepted";
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

const std::string kDecl = "<?xml version=\"1.0\"?>";
}  // namespace

TEST_CASE("entity declarations never reach xmlrpc-c (billion laughs)", "[xmlrpc]") {
  std::string laughs = kDecl + "<!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  for (int i = 1; i <= 9; ++i) {
    laughs += "<!ENTITY lol" + std::to_string(i) + " \"" +
              repeat("&lol" + (i > 1 ? std::to_string(i - 1) : std::string()) + ";", 10) + "\">";
  }
  laughs += "]><methodCall><methodName>&lol9;</methodName></methodCall>";
  CHECK(refusal(laughs) ==
        "XML-RPC document refused at byte 21: '<!' markup (DOCTYPE, ENTITY, comments and CDATA "
        "are not accepted)");
  CHECK_THROWS_AS(decodeSubmitCall(laughs), EnvelopeError);
  CHECK_THROWS_AS(decodeSubmitResponse(laughs), EnvelopeError);
  // An external entity, a comment and CDATA anywhere are refused the same way.
  CHECK(refusal("<methodCall><!ENTITY x SYSTEM \"file:///etc/passwd\"></methodCall>")
            .starts_with("XML-RPC document refused at byte 12: '<!' markup"));
  CHECK(refusal(callWith("<string><!-- hi --></string>")).find("'<!' markup") != std::string::npos);
  CHECK(refusal(callWith("<string><![CDATA[x]]></string>")).find("'<!' markup") !=
        std::string::npos);
}

TEST_CASE("references other than the predefined entities are refused", "[xmlrpc]") {
  CHECK(refusal(callWith("<string>&lol;</string>")) ==
        "XML-RPC document refused at byte 98: entity reference '&lol;' (only &lt; &gt; &amp; "
        "&quot; &apos; and character references)");
  CHECK(refusal(callWith("<string>a & b</string>")).find("'&' that does not start") !=
        std::string::npos);
  CHECK(refusal(callWith("<string>&#x;</string>")).find("entity reference") != std::string::npos);
  CHECK(refusal("<a b=\"&x;\"/>").find("entity reference '&x;'") != std::string::npos);
  CHECK(refusal(callWith("<string>&lt;&gt;&amp;&quot;&apos;&#65;&#x41;&#X;</string>"))
            .find("'&#X;'") != std::string::npos);
  CHECK(refusal(callWith("<string>&lt;&gt;&amp;&quot;&apos;&#65;&#x41;</string>")) == "accepted");
}

TEST_CASE("processing instructions other than the declaration are refused", "[xmlrpc]") {
  CHECK(refusal(kDecl + "<methodCall/>") == "accepted");
  CHECK(refusal("\xEF\xBB\xBF" + kDecl + "<methodCall/>") == "accepted");
  CHECK(refusal(kDecl + "<?xml-stylesheet href=\"x\"?><methodCall/>") ==
        "XML-RPC document refused at byte 21: processing instruction (only the XML declaration "
        "at the start is allowed)");
  CHECK(refusal(" " + kDecl).find("at byte 1: processing instruction") != std::string::npos);
  CHECK(refusal("<?xml version=\"1.0\"").find("not closed") != std::string::npos);
}

TEST_CASE("deep nesting is refused in one linear pass", "[xmlrpc]") {
  // What crashed the server and the client: unclosed nested elements and
  // deep arrays. Refused at the first element past the limit.
  const std::string unclosed = "<methodCall>" + repeat("<a>", 300'000);
  CHECK(refusal(unclosed) == "XML-RPC document refused at byte 57: elements nested deeper than 16");
  const std::string arrays =
      "<methodResponse><params><param>" + repeat("<value><array><data>", 70'000);
  CHECK(refusal(arrays).find("nested deeper than 16") != std::string::npos);
  CHECK_THROWS_AS(decodeSubmitResponse(arrays), EnvelopeError);
  CHECK_THROWS_AS(decodeSubmitCall(unclosed), EnvelopeError);
  CHECK(refusal(repeat("<a>", 16) + repeat("</a>", 16)) == "accepted");
  CHECK(refusal(repeat("<a>", 17)).find("deeper than 16") != std::string::npos);
  // Self-closed elements do not nest.
  CHECK(refusal(repeat("<a>", 16) + "<b/>" + repeat("</a>", 16)) == "accepted");
}

TEST_CASE("too many elements are refused", "[xmlrpc]") {
  CHECK(refusal("<a>" + repeat("<b></b>", 255) + "</a>") == "accepted");
  CHECK(refusal("<a>" + repeat("<b/>", 256) + "</a>") ==
        "XML-RPC document refused at byte 1023: more than 256 elements");
  CHECK(refusal("<a>" + repeat("<b/>", 20) + "</a>", XmlRpcShapeLimits{16, 10})
            .find("more than 10 elements") != std::string::npos);
}

TEST_CASE("malformed tags are refused with their offset", "[xmlrpc]") {
  CHECK(refusal("<a></a></a>") ==
        "XML-RPC document refused at byte 7: closing tag without an opening one");
  CHECK(refusal("<a<b<c>") == "XML-RPC document refused at byte 2: '<' inside a tag");
  CHECK(refusal("<a b=\"<\">") ==
        "XML-RPC document refused at byte 6: '<' inside an attribute value");
  CHECK(refusal("<a>x<") == "XML-RPC document refused at byte 4: '<' at the end of the document");
  CHECK(refusal("<a b='>'").find("is not closed") != std::string::npos);
  CHECK(refusal("<>").find("without an element name") != std::string::npos);
  CHECK(refusal("<a></a").find("closing tag is not closed") != std::string::npos);
  // Quoted '>' does not end a tag; attributes (xmlns for ex:i8) pass.
  CHECK(refusal("<methodResponse xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\" "
                "a='>'><ex:i8>5</ex:i8></methodResponse>") == "accepted");
}

TEST_CASE("every document this project writes fits the limits with a margin", "[xmlrpc]") {
  const std::string call = encodeSubmitCall(std::string(8000, 'x'));
  const std::string ack = encodeSubmitResponse(SubmitAck{"stored", 7, 42, 200});
  const std::string fault = encodeFaultResponse(SubmitFault{113, "a & b < c"});
  const XmlRpcShapeLimits tight{11, 24};  // half the depth margin, ~10 % of the count
  for (const auto* doc : {&call, &ack, &fault}) {
    INFO(*doc);
    CHECK_NOTHROW(rejectUnsafeXmlRpc(*doc, tight));
  }
  CHECK(decodeSubmitCall(call) == std::string(8000, 'x'));
  CHECK(std::get<SubmitFault>(decodeSubmitResponse(fault)).message == "a & b < c");
}
