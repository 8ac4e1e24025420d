#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/auth/account_store.hpp"

namespace openmps::server::auth::testing {

// Users, failures, locks, sessions, recovery codes and audit entries in
// memory, as PgAuthStore keeps them in PostgreSQL.
class FakeAccountStore final : public AccountStore {
 public:
  struct Session {
    TokenHash idHash{};
    std::int64_t userId = 0;
    SessionStage stage = SessionStage::kComplete;
    std::string csrf;
  };
  struct Failure {
    LockScope scope;
    std::string key;
    WallTime at;
  };
  struct Entry {
    AuditActor actor;
    AuditEvent event;
  };

  std::map<std::int64_t, UserCredentials> users;
  std::vector<Failure> failures;
  std::map<std::pair<LockScope, std::string>, WallTime> locks;
  std::map<std::int64_t, Session> sessions;
  std::map<std::int64_t, std::vector<std::pair<TokenHash, bool>>> recovery;
  std::vector<Entry> audits;
  std::int64_t nextSession = 1;

  UserCredentials& add(UserCredentials user) { return users[user.id] = std::move(user); }
  std::vector<std::string> actions() const {
    std::vector<std::string> out;
    for (const auto& e : audits) out.push_back(e.event.action);
    return out;
  }

  void serialiseAccount(std::string_view) override {}
  std::optional<UserCredentials> userByName(std::string_view username) override {
    for (const auto& [id, u] : users) {
      if (lower(u.username) == lower(username)) return u;
    }
    return std::nullopt;
  }
  std::optional<UserCredentials> userById(std::int64_t id) override {
    const auto it = users.find(id);
    if (it == users.end()) return std::nullopt;
    return it->second;
  }
  std::optional<WallTime> lockedUntil(LockScope scope, std::string_view key) override {
    const auto it = locks.find({scope, std::string(key)});
    if (it == locks.end()) return std::nullopt;
    return it->second;
  }
  int addFailure(LockScope scope, std::string_view key, WallTime at, WallTime since) override {
    failures.push_back({scope, std::string(key), at});
    return static_cast<int>(std::count_if(failures.begin(), failures.end(), [&](const Failure& f) {
      return f.scope == scope && f.key == key && f.at > since;
    }));
  }
  void lock(LockScope scope, std::string_view key, WallTime until) override {
    locks[{scope, std::string(key)}] = until;
    forget(scope, key);
  }
  void clearFailures(LockScope scope, std::string_view key) override {
    locks.erase({scope, std::string(key)});
    forget(scope, key);
  }
  std::int64_t createSession(const TokenHash& idHash, std::int64_t userId, SessionStage stage,
                             std::string_view csrf, WallTime, std::string_view) override {
    sessions[nextSession] = {idHash, userId, stage, std::string(csrf)};
    return nextSession++;
  }
  void rotateSession(std::int64_t id, const TokenHash& newHash, SessionStage stage,
                     WallTime) override {
    sessions.at(id).idHash = newHash;
    sessions.at(id).stage = stage;
  }
  void endSession(std::int64_t id) override { sessions.erase(id); }
  void endSessionsOfUser(std::int64_t userId, std::int64_t except) override {
    std::erase_if(sessions,
                  [&](const auto& s) { return s.second.userId == userId && s.first != except; });
  }
  void setPassword(std::int64_t userId, std::string_view hash, bool changeRequired) override {
    users.at(userId).passwordHash = std::string(hash);
    users.at(userId).passwordChangeRequired = changeRequired;
  }
  void markSignedIn(std::int64_t userId, WallTime at) override {
    users.at(userId).lastActiveAt = at;
  }
  void disableUser(std::int64_t userId, std::string_view, WallTime) override {
    users.at(userId).disabled = true;
  }
  std::vector<DisabledUser> disableIdleUsers(WallTime before, WallTime) override {
    std::vector<DisabledUser> out;
    for (auto& [id, u] : users) {
      if (!u.disabled && u.lastActiveAt < before) {
        u.disabled = true;
        out.push_back({id, u.organisationId, u.username});
      }
    }
    return out;
  }
  void setTotpSecret(std::int64_t userId, std::string_view sealed) override {
    users.at(userId).totpSealed = std::string(sealed);
    users.at(userId).totpConfirmed = false;
  }
  void confirmTotp(std::int64_t userId, std::int64_t step, WallTime) override {
    users.at(userId).totpConfirmed = true;
    users.at(userId).totpLastStep = step;
  }
  bool useTotpStep(std::int64_t userId, std::int64_t step) override {
    auto& u = users.at(userId);
    if (step <= u.totpLastStep) return false;
    u.totpLastStep = step;
    return true;
  }
  void clearTotp(std::int64_t userId) override {
    auto& u = users.at(userId);
    u.totpSealed.clear();
    u.totpConfirmed = false;
    u.totpLastStep = 0;
    recovery.erase(userId);
  }
  void replaceRecoveryCodes(std::int64_t userId, const std::vector<TokenHash>& hashes) override {
    auto& codes = recovery[userId];
    codes.clear();
    for (const auto& h : hashes) codes.emplace_back(h, false);
  }
  bool useRecoveryCode(std::int64_t userId, const TokenHash& hash, WallTime) override {
    for (auto& [h, used] : recovery[userId]) {
      if (h == hash && !used) {
        used = true;
        return true;
      }
    }
    return false;
  }
  int recoveryCodesLeft(std::int64_t userId) override {
    const auto& codes = recovery[userId];
    return static_cast<int>(
        std::count_if(codes.begin(), codes.end(), [](const auto& c) { return !c.second; }));
  }
  void audit(const AuditActor& actor, const AuditEvent& event) override {
    audits.push_back({actor, event});
  }

 private:
  static std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }
  void forget(LockScope scope, std::string_view key) {
    std::erase_if(failures, [&](const Failure& f) { return f.scope == scope && f.key == key; });
  }
};

}  // namespace openmps::server::auth::testing
