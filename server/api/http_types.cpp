#include "server/api/http_types.hpp"

namespace openmps::server::api {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string ApiRequest::header(std::string_view name) const {
  const auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

std::string ApiRequest::cookie(std::string_view name) const {
  const std::string all = header("cookie");
  std::string_view rest = all;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    const std::string_view part = trim(rest.substr(0, semi));
    const auto eq = part.find('=');
    if (eq != std::string_view::npos && trim(part.substr(0, eq)) == name) {
      return std::string(trim(part.substr(eq + 1)));
    }
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return {};
}

ApiResponse jsonResponse(int status, std::string json) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(json);
  return r;
}

ApiResponse noContent() {
  ApiResponse r;
  r.status = 204;
  r.contentType.clear();
  return r;
}

ApiResponse redirect(std::string location) {
  ApiResponse r;
  r.status = 302;
  r.contentType.clear();
  r.set("Location", std::move(location));
  return r;
}

std::string sessionCookie(std::string_view name, std::string_view value, int maxAgeSeconds) {
  std::string out =
      std::string(name) + "=" + std::string(value) + "; HttpOnly; Secure; SameSite=Strict; Path=/";
  if (maxAgeSeconds >= 0) out += "; Max-Age=" + std::to_string(maxAgeSeconds);
  return out;
}

std::string laxCookie(std::string_view name, std::string_view value, std::string_view path,
                      int maxAgeSeconds) {
  return std::string(name) + "=" + std::string(value) +
         "; HttpOnly; Secure; SameSite=Lax; Path=" + std::string(path) +
         "; Max-Age=" + std::to_string(maxAgeSeconds);
}

std::optional<std::string> percentDecode(std::string_view text, bool plusIsSpace) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hexValue(text[i + 1]);
      const int lo = hexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plusIsSpace) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::map<std::string, std::string> parseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    const auto eq = part.find('=');
    const auto key = percentDecode(part.substr(0, eq), true);
    const auto value = eq == std::string_view::npos ? std::optional<std::string>("")
                                                    : percentDecode(part.substr(eq + 1), true);
    if (key && value && !key->empty()) out[*key] = *value;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace openmps::server::api
