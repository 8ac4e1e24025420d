#include "server/auth/audit.hpp"

#include <array>
#include <cctype>
#include <utility>

#include <nlohmann/json.hpp>
#include <pwd.h>
#include <unistd.h>

namespace openmps::server::auth {

AuditActor AuditActor::of(const Caller& caller, std::string peer) {
  AuditActor actor;
  actor.userId = caller.userId;
  actor.tokenId = caller.apiTokenId;
  actor.peer = std::move(peer);
  return actor;
}

AuditActor AuditActor::server() {
  AuditActor actor;
  actor.name = "server";
  return actor;
}

AuditActor AuditActor::commandLine() {
  AuditActor actor;
  const uid_t uid = geteuid();
  std::string login = "uid " + std::to_string(uid);
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[1024];
  if (getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr) {
    login = found->pw_name;
  }
  actor.name = "cli:" + login;
  return actor;
}

namespace {

bool validAction(std::string_view action) {
  // [a-z_]+(\.[a-z_]+)+, as the table's CHECK says.
  if (action.empty() || action.size() > 100 || action.front() == '.' || action.back() == '.') {
    return false;
  }
  bool dot = false;
  char previous = '\0';
  for (const char c : action) {
    if (c == '.') {
      if (previous == '.') return false;
      dot = true;
    } else if (!((c >= 'a' && c <= 'z') || c == '_')) {
      return false;
    }
    previous = c;
  }
  return dot;
}

bool namesSecret(std::string key) {
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Flags and times about a secret are not the secret: has_password,
  // password_change_required, totp_enabled, token_expires_at.
  static constexpr std::array<std::string_view, 4> kAbout = {"_required", "_enabled", "_at",
                                                             "_count"};
  if (key.starts_with("has_")) return false;
  for (const auto suffix : kAbout) {
    if (key.ends_with(suffix)) return false;
  }
  static constexpr std::array<std::string_view, 5> kParts = {"password", "secret", "hash", "csrf",
                                                             "recovery"};
  static constexpr std::array<std::string_view, 7> kWhole = {
      "token", "code", "codes", "key", "session", "session_id", "private_key"};
  for (const auto part : kParts) {
    if (key.find(part) != std::string::npos) return true;
  }
  for (const auto whole : kWhole) {
    if (key == whole) return true;
  }
  return false;
}

std::string secretKeyIn(const nlohmann::json& value, int depth = 0) {
  if (depth > 16) return "(nested too deep)";
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      if (namesSecret(key)) return key;
      if (auto found = secretKeyIn(child, depth + 1); !found.empty()) return found;
    }
  } else if (value.is_array()) {
    for (const auto& child : value) {
      if (auto found = secretKeyIn(child, depth + 1); !found.empty()) return found;
    }
  }
  return {};
}

std::string jsonProblem(const std::string& text, const char* which) {
  if (text.empty()) return {};
  const auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return std::string(which) + " is not a JSON object";
  }
  if (auto key = secretKeyIn(parsed); !key.empty()) {
    return std::string(which) + " holds '" + key + "', which names a secret";
  }
  return {};
}

}  // namespace

std::string auditEventProblem(const AuditEvent& event) {
  if (!validAction(event.action)) return "the action must read noun.verb in lower case";
  if (auto p = jsonProblem(event.before, "before"); !p.empty()) return p;
  return jsonProblem(event.after, "after");
}

}  // namespace openmps::server::auth
