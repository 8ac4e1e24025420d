#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// A request and its answer as the API's routes see them, apart from any
// HTTP library: the listener (poco_api_server) converts, the routes are
// pure functions of these and the database.
namespace openmps::server::api {

struct ApiRequest {
  std::string method;  // GET, POST, ...
  std::string path;    // decoded path, without the query: "/api/v1/me"
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string peer;  // the client's address

  // A header's value ("" when absent); the name in lower case.
  std::string header(std::string_view name) const;
  // A cookie's value from the Cookie header ("" when absent).
  std::string cookie(std::string_view name) const;
  bool changesState() const { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }
};

struct ApiResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Set-Cookie may repeat

  void set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

ApiResponse jsonResponse(int status, std::string json);
ApiResponse noContent();
ApiResponse redirect(std::string location);

// Set-Cookie values. Session cookies: HttpOnly; Secure; SameSite=Strict;
// Path=/ (maxAge < 0: a session cookie; 0: delete it).
std::string sessionCookie(std::string_view name, std::string_view value, int maxAgeSeconds = -1);
// The OpenID Connect binding cookie: SameSite=Lax (it must come back on the
// provider's redirect), limited to the callback's path.
std::string laxCookie(std::string_view name, std::string_view value, std::string_view path,
                      int maxAgeSeconds);

// Decodes %XX and '+' (in queries); nullopt for a broken escape.
std::optional<std::string> percentDecode(std::string_view text, bool plusIsSpace);
std::map<std::string, std::string> parseQuery(std::string_view query);

}  // namespace openmps::server::api
