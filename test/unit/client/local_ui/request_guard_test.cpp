#include "client/local_ui/request_guard.hpp"

#include <catch2/catch.hpp>

using namespace openmps::client::local_ui;

namespace {

RequestFacts loopbackGet() {
  RequestFacts facts;
  facts.method = "GET";
  facts.host = "127.0.0.1:52005";
  facts.peerAddress = "127.0.0.1";
  facts.localAddress = "127.0.0.1";
  return facts;
}

}  // namespace

TEST_CASE("local UI: Host header names loopback or localhost, any port") {
  for (const auto* host : {"localhost", "localhost:52005", "LocalHost:5173", "127.0.0.1",
                           "127.0.0.1:52005", "127.1.2.3:1", "[::1]", "[::1]:52005"}) {
    INFO(host);
    CHECK(isLoopbackHost(host));
  }
  for (const auto* host : {"", "evil.example", "evil.example:52005", "localhost.evil.example",
                           "127.0.0.1.evil.example", "128.0.0.1", "10.0.0.1:52005",
                           "localhost:99999", "localhost:", "[::1", "[::2]:80", "127.0.0.01",
                           "127.0.0", "127.0.0.1:52005:1", "0.0.0.0"}) {
    INFO(host);
    CHECK_FALSE(isLoopbackHost(host));
  }
}

TEST_CASE("local UI: a loopback request is answered") {
  CHECK(judge(loopbackGet()).refusal == Refusal::kNone);
}

TEST_CASE("local UI: a foreign Host header is refused (DNS rebinding)") {
  auto facts = loopbackGet();
  facts.host = "attacker.example:52005";
  const auto verdict = judge(facts);
  CHECK(verdict.refusal == Refusal::kForeignHost);
  CHECK(verdict.status == 421);
  CHECK_THAT(verdict.detail, Catch::Contains("Host"));
}

TEST_CASE("local UI: another loopback address than the bound one is refused") {
  auto facts = loopbackGet();
  facts.peerAddress = "127.0.0.2";
  CHECK(judge(facts).refusal == Refusal::kForeignPeer);
  CHECK(judge(facts).status == 403);
  facts.allowRemote = true;
  CHECK(judge(facts).refusal == Refusal::kNone);
}

TEST_CASE("local UI: bodies over the limit and unknown methods are refused") {
  auto facts = loopbackGet();
  facts.method = "POST";
  facts.contentLength = kMaxBodyBytes;
  CHECK(judge(facts).refusal == Refusal::kNone);
  facts.contentLength = kMaxBodyBytes + 1;
  CHECK(judge(facts).status == 413);
  facts = loopbackGet();
  facts.method = "TRACE";
  CHECK(judge(facts).status == 405);
}

TEST_CASE("local UI: every method but GET and HEAD needs the CSRF token") {
  CHECK_FALSE(changesState("GET"));
  CHECK_FALSE(changesState("HEAD"));
  for (const auto* method : {"POST", "PATCH", "PUT", "DELETE"}) CHECK(changesState(method));
}

TEST_CASE("local UI: headers forbid framing and sniffing, and there is no CORS") {
  const auto headers = securityHeaders();
  auto value = [&](const std::string& name) {
    for (const auto& [key, v] : headers) {
      if (key == name) return v;
    }
    return std::string{};
  };
  CHECK_THAT(value("Content-Security-Policy"), Catch::StartsWith("default-src 'self'"));
  CHECK_THAT(value("Content-Security-Policy"), Catch::Contains("frame-ancestors 'none'"));
  CHECK(value("X-Content-Type-Options") == "nosniff");
  CHECK(value("Referrer-Policy") == "no-referrer");
  for (const auto& [key, v] : headers) CHECK_THAT(key, !Catch::StartsWith("Access-Control"));
}

TEST_CASE("local UI: the session cookie is HttpOnly and SameSite=Strict, Secure with TLS") {
  CHECK(sessionCookie("abc", false) == "omps_local_session=abc; Path=/; HttpOnly; SameSite=Strict");
  CHECK_THAT(sessionCookie("abc", true), Catch::EndsWith("; Secure"));
  CHECK_THAT(sessionCookie("", false), Catch::Contains("Max-Age=0"));
  CHECK(sessionFromCookieHeader("a=1; omps_local_session=xyz; b=2") == "xyz");
  CHECK(sessionFromCookieHeader("omps_local_session_x=1") == "");
  CHECK(sessionFromCookieHeader("") == "");
}

TEST_CASE("local UI: listens on loopback, elsewhere only when allowed and with TLS") {
  CHECK(listenProblem("127.0.0.1", false, "", "").empty());
  CHECK(listenProblem("::1", false, "", "").empty());
  CHECK_THAT(listenProblem("0.0.0.0", false, "", ""), Catch::Contains("local_ui.allow_remote"));
  CHECK_THAT(listenProblem("192.0.2.1", true, "", ""), Catch::StartsWith("local_ui.tls.cert"));
  CHECK_THAT(listenProblem("192.0.2.1", true, "c.pem", ""), Catch::StartsWith("local_ui.tls.key"));
  CHECK(listenProblem("192.0.2.1", true, "c.pem", "k.pem").empty());
}
