#include "server/api/http_types.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "server/api/openapi.hpp"
#include "server/api/problem.hpp"
#include "server/api/router.hpp"

using namespace openmps::server::api;

TEST_CASE("cookies and headers of a request", "[server][api]") {
  ApiRequest r;
  r.headers["cookie"] = "a=1; omps_session=abc ; theme=dark";
  CHECK(r.cookie("omps_session") == "abc");
  CHECK(r.cookie("theme") == "dark");
  CHECK(r.cookie("omps") == "");
  CHECK(r.header("x-missing") == "");
  r.method = "GET";
  CHECK_FALSE(r.changesState());
  r.method = "PATCH";
  CHECK(r.changesState());
}

TEST_CASE("percent-decoding and queries", "[server][api]") {
  CHECK(percentDecode("/api/v1/users/%31", false) == "/api/v1/users/1");
  CHECK(percentDecode("a+b", true) == "a b");
  CHECK(percentDecode("a+b", false) == "a+b");
  CHECK_FALSE(percentDecode("%4", false));
  CHECK_FALSE(percentDecode("%zz", false));
  const auto q = parseQuery("limit=10&after=5&x=%2F&broken=%g1&flag");
  CHECK(q.at("limit") == "10");
  CHECK(q.at("x") == "/");
  CHECK_FALSE(q.contains("broken"));
  CHECK(q.at("flag").empty());
}

TEST_CASE("cookies the API sets", "[server][api]") {
  CHECK(sessionCookie("omps_session", "v") ==
        "omps_session=v; HttpOnly; Secure; SameSite=Strict; Path=/");
  CHECK(sessionCookie("omps_session", "", 0).ends_with("; Max-Age=0"));
  CHECK(laxCookie("omps_oidc", "b", "/api/v1/auth/oidc", 600) ==
        "omps_oidc=b; HttpOnly; Secure; SameSite=Lax; Path=/api/v1/auth/oidc; Max-Age=600");
}

TEST_CASE("paths match their patterns", "[server][api]") {
  std::map<std::string, std::string> params;
  CHECK(matchPath("/api/v1/users/{id}", "/api/v1/users/17", params));
  CHECK(params.at("id") == "17");
  CHECK(matchPath("/api/v1/users/{id}/totp-reset", "/api/v1/users/x/totp-reset", params));
  CHECK(params.at("id") == "x");
  CHECK_FALSE(matchPath("/api/v1/users/{id}", "/api/v1/users", params));
  CHECK_FALSE(matchPath("/api/v1/users/{id}", "/api/v1/users/1/2", params));
  CHECK_FALSE(matchPath("/api/v1/me", "/api/v1/mE", params));
}

TEST_CASE("problems are RFC 9457 and name the field", "[server][api]") {
  const auto r = problem(422, "invalid-body", "role: unknown", {{"role", "unknown"}});
  CHECK(r.status == 422);
  CHECK(r.contentType == "application/problem+json");
  const auto doc = nlohmann::json::parse(r.body);
  CHECK(doc["type"] == "urn:openmps:problem:invalid-body");
  CHECK(doc["title"] == "Unprocessable Content");
  CHECK(doc["invalid_params"][0]["name"] == "role");
}

TEST_CASE("the OpenAPI file is served as JSON with its types", "[server][api]") {
  const auto doc = nlohmann::json::parse(openapiJson());
  CHECK(doc["openapi"] == "3.1.0");
  const auto& limit = doc["components"]["parameters"]["Limit"]["schema"];
  CHECK(limit["maximum"] == 500);  // a number, not "500"
  CHECK(doc["paths"]["/api/v1/session"]["post"]["responses"].contains("200"));
  const auto& time = doc["components"]["schemas"]["Time"]["type"];
  CHECK(time == nlohmann::json::array({"string", "null"}));  // quoted "null" stays a string
  CHECK(doc["paths"]["/api/v1/users"]["get"]["x-openmps-roles"].size() == 3);
}
