#pragma once

#include <map>
#include <optional>

#include "server/auth/authenticator.hpp"

namespace openmps::server::auth::testing {

// Sessions and tokens in maps keyed by their hashes, as the database keeps them.
class FakeSessionLookup final : public SessionLookup {
 public:
  std::map<TokenHash, SessionRecord> sessions;
  std::map<TokenHash, ApiTokenRecord> tokens;
  int touches = 0;

  std::optional<SessionRecord> findSession(const TokenHash& idHash) override {
    const auto it = sessions.find(idHash);
    if (it == sessions.end()) return std::nullopt;
    return it->second;
  }
  void touchSession(std::int64_t sessionId, util::Clock::WallTime at) override {
    ++touches;
    for (auto& [hash, s] : sessions) {
      if (s.id == sessionId) s.lastSeenAt = at;
    }
  }
  void deleteSession(std::int64_t sessionId) override {
    std::erase_if(sessions, [&](const auto& entry) { return entry.second.id == sessionId; });
  }
  std::optional<ApiTokenRecord> findApiToken(const TokenHash& tokenHash) override {
    const auto it = tokens.find(tokenHash);
    if (it == tokens.end()) return std::nullopt;
    return it->second;
  }
  void touchApiToken(std::int64_t tokenId, util::Clock::WallTime at) override {
    ++touches;
    for (auto& [hash, t] : tokens) {
      if (t.id == tokenId) t.lastUsedAt = at;
    }
  }
};

}  // namespace openmps::server::auth::testing
