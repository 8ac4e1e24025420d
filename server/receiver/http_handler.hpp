#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

// What a hardened listener (poco_http_listener.hpp) hands its handler, and
// what the handler answers. No Poco here: handlers are pure and unit-tested
// with these structs.
namespace openmps::server::receiver {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // target up to '?', not decoded
  std::string query;   // after '?', not decoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // complete: read within the request deadline and size limit
  std::string peer;  // source address, without the port
  bool tls = false;

  // The first header of that name (case-insensitive), or "".
  std::string_view header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool closeConnection = false;
};

// Why the listener answered a request itself, before its handler saw it.
enum class Refusal {
  kTooLarge,     // the body is over limits.max_request_bytes
  kRateLimited,  // the source address is over its request rate
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // On one of the listener's worker threads, for every request whose head
  // and body arrived in time and within the limits. Must answer every bad
  // input with a response, not an exception (an exception becomes 500).
  virtual HttpResponse handle(const HttpRequest& request) = 0;
  // The answer to a request the listener refuses itself (its body is not
  // read; the connection closes after the answer). The default is plain
  // text with 413 or 429.
  virtual HttpResponse refuse(const HttpRequest& request, Refusal why, const std::string& message);
};

}  // namespace openmps::server::receiver
