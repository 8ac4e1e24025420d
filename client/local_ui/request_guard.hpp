#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The security decisions of the local UI listener, pure: which requests
// are answered at all, which need the CSRF token, and the headers and
// cookie every answer carries. The listener (poco_local_ui_listener) only
// gathers the facts and applies the verdict.
namespace openmps::client::local_ui {

// Largest request body the UI accepts (settings, enrollment strings).
inline constexpr std::size_t kMaxBodyBytes = std::size_t{64} * 1024;
inline constexpr std::string_view kSessionCookie = "omps_local_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// What the listener knows about a request before reading its body.
struct RequestFacts {
  std::string method;        // "GET", "POST", ...
  std::string host;          // the Host header as sent ("" when absent)
  std::string peerAddress;   // the connecting address, without port
  std::string localAddress;  // the address the connection arrived on
  bool allowRemote = false;  // local_ui.allow_remote
  std::size_t contentLength = 0;
};

enum class Refusal {
  kNone,
  kForeignHost,      // 421: the Host header names no loopback address (DNS rebinding)
  kForeignPeer,      // 403: another address than the one the listener is bound to
  kBodyTooLarge,     // 413
  kMethodNotAllowed  // 405: TRACE, CONNECT and anything unknown
};

struct Verdict {
  Refusal refusal = Refusal::kNone;
  int status = 200;
  std::string detail;  // the problem+json detail when refused
};

// Host header: "localhost", a 127.0.0.0/8 address or [::1], any port.
// Anything else can be a rebound DNS name pointing a foreign page at us.
bool isLoopbackHost(std::string_view host);
bool isLoopbackAddress(std::string_view address);

Verdict judge(const RequestFacts& facts);

// Whether the method changes state and therefore needs X-CSRF-Token.
bool changesState(std::string_view method);

// The headers on every answer, static file or API (no CORS header ever).
std::vector<std::pair<std::string, std::string>> securityHeaders();

// Set-Cookie value for the session id; an empty id clears the cookie.
std::string sessionCookie(std::string_view sessionId, bool secure);

// The session id out of a Cookie header, or "".
std::string sessionFromCookieHeader(std::string_view cookieHeader);

// Where the listener may listen: loopback always; another address only
// with allow_remote and then only with a TLS certificate and key. The
// problem in words (naming the key), or "" when it may start.
std::string listenProblem(std::string_view address, bool allowRemote, std::string_view tlsCert,
                          std::string_view tlsKey);

}  // namespace openmps::client::local_ui
