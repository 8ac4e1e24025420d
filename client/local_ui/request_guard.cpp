#include "client/local_ui/request_guard.hpp"

#include <array>
#include <charconv>

namespace openmps::client::local_ui {
namespace {

bool isDecimalOctet(std::string_view part) {
  if (part.empty() || part.size() > 3) return false;
  int value = 0;
  const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
  return ec == std::errc{} && end == part.data() + part.size() && value <= 255 &&
         (part.size() == 1 || part[0] != '0');
}

bool isLoopbackIpv4(std::string_view address) {
  int parts = 0;
  std::string_view rest = address;
  std::string_view first;
  while (true) {
    const auto dot = rest.find('.');
    const auto part = rest.substr(0, dot);
    if (!isDecimalOctet(part)) return false;
    if (parts == 0) first = part;
    ++parts;
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  return parts == 4 && first == "127";
}

bool isPort(std::string_view text) {
  if (text.empty() || text.size() > 5) return false;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size() && value <= 65535;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Splits "name[:port]" / "[v6][:port]"; false when the port part is malformed.
bool splitHostPort(std::string_view host, std::string_view& name) {
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    name = host.substr(0, close + 1);
    const auto rest = host.substr(close + 1);
    return rest.empty() || (rest.front() == ':' && isPort(rest.substr(1)));
  }
  const auto colon = host.find(':');
  name = host.substr(0, colon);
  return colon == std::string_view::npos || isPort(host.substr(colon + 1));
}

Verdict refuse(Refusal refusal, int status, std::string detail) {
  return Verdict{refusal, status, std::move(detail)};
}

}  // namespace

bool isLoopbackAddress(std::string_view address) {
  if (address == "::1" || address == "[::1]") return true;
  if (address.substr(0, 7) == "::ffff:") return isLoopbackIpv4(address.substr(7));
  return isLoopbackIpv4(address);
}

bool isLoopbackHost(std::string_view host) {
  std::string_view name;
  if (!splitHostPort(host, name)) return false;
  if (equalsIgnoringCase(name, "localhost")) return true;
  return name == "[::1]" || isLoopbackIpv4(name);
}

bool changesState(std::string_view method) {
  return method != "GET" && method != "HEAD";
}

Verdict judge(const RequestFacts& facts) {
  static constexpr std::array<std::string_view, 6> kMethods{"GET",   "HEAD", "POST",
                                                            "PATCH", "PUT",  "DELETE"};
  bool known = false;
  for (const auto method : kMethods) known = known || facts.method == method;
  if (!known) return refuse(Refusal::kMethodNotAllowed, 405, "method not allowed");
  if (!facts.allowRemote && facts.peerAddress != facts.localAddress) {
    return refuse(Refusal::kForeignPeer, 403,
                  "requests are accepted only from the address the local UI listens on");
  }
  if (!facts.allowRemote && !isLoopbackHost(facts.host)) {
    return refuse(Refusal::kForeignHost, 421,
                  "the Host header must name localhost or a loopback address");
  }
  if (facts.contentLength > kMaxBodyBytes) {
    return refuse(Refusal::kBodyTooLarge, 413,
                  "request body larger than " + std::to_string(kMaxBodyBytes) + " bytes");
  }
  return {};
}

std::vector<std::pair<std::string, std::string>> securityHeaders() {
  return {
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'self'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cache-Control", "no-store"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
  };
}

std::string sessionCookie(std::string_view sessionId, bool secure) {
  std::string cookie(kSessionCookie);
  cookie += '=';
  cookie += sessionId;
  cookie += "; Path=/; HttpOnly; SameSite=Strict";
  if (sessionId.empty()) cookie += "; Max-Age=0";
  if (secure) cookie += "; Secure";
  return cookie;
}

std::string sessionFromCookieHeader(std::string_view header) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    auto pair = header.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == kSessionCookie) {
      return std::string(pair.substr(eq + 1));
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

std::string listenProblem(std::string_view address, bool allowRemote, std::string_view tlsCert,
                          std::string_view tlsKey) {
  if (isLoopbackAddress(address) || address == "localhost") return {};
  if (!allowRemote) {
    return "local_ui.listen: " + std::string(address) +
           " is not a loopback address; set local_ui.allow_remote: true (with TLS) to listen on it";
  }
  if (tlsCert.empty()) {
    return "local_ui.tls.cert: required when local_ui.listen is not a loopback address";
  }
  if (tlsKey.empty()) {
    return "local_ui.tls.key: required when local_ui.listen is not a loopback address";
  }
  return {};
}

}  // namespace openmps::client::local_ui
