#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "shared/util/clock.hpp"

// Who may use the local UI, decided without I/O: the lockout after repeated
// wrong passwords and the signed-in sessions with their idle logout. There
// is one password (the UI's), so the lockout counts all failures together.
namespace openmps::client::local_ui {

struct SignInPolicy {
  int maxFailures = 5;
  std::chrono::seconds lockout{15 * 60};
  std::chrono::seconds idleLogout{30 * 60};
  std::size_t maxSessions = 16;  // the oldest is dropped beyond this
  // Requests of all peers together (one person uses the UI): a bucket of
  // requestBurst refilled at requestsPerMinute.
  int requestsPerMinute = 600;
  int requestBurst = 240;
};

struct Session {
  std::string id;
  std::string csrfToken;
};

class SignInGate {
 public:
  // newToken: a fresh random token (sessions and CSRF); injected so the
  // decisions stay free of the random source.
  SignInGate(const util::Clock& clock, SignInPolicy policy, std::function<std::string()> newToken);

  // How long sign-in stays refused, or nothing when a password may be tried.
  std::optional<std::chrono::seconds> lockedFor() const;
  void recordFailure();
  // A right password: failures are forgotten and a session starts.
  Session signIn();

  // The session for this id when it exists and was used within the idle
  // time; using it restarts the idle time.
  std::optional<Session> touch(const std::string& sessionId);
  void signOut(const std::string& sessionId);
  // After a password change every session ends.
  void signOutEveryone();

  // Takes one request from the rate bucket; false when it is empty (429).
  bool allowRequest();

  const SignInPolicy& policy() const { return policy_; }

 private:
  struct Entry {
    std::string csrfToken;
    util::Clock::MonoTime lastUsed;
    util::Clock::MonoTime started;
  };
  void dropIdle();

  const util::Clock& clock_;
  SignInPolicy policy_;
  std::function<std::string()> newToken_;
  mutable std::mutex mutex_;
  int failures_ = 0;
  std::optional<util::Clock::MonoTime> lockedUntil_;
  std::map<std::string, Entry> sessions_;
  double tokens_ = -1;  // < 0: full, not started
  util::Clock::MonoTime refilledAt_{};
};

}  // namespace openmps::client::local_ui
