#include "client/local_ui/sign_in_gate.hpp"

#include <algorithm>
#include <utility>

namespace openmps::client::local_ui {

SignInGate::SignInGate(const util::Clock& clock, SignInPolicy policy,
                       std::function<std::string()> newToken)
    : clock_(clock), policy_(policy), newToken_(std::move(newToken)) {}

std::optional<std::chrono::seconds> SignInGate::lockedFor() const {
  const std::lock_guard lock(mutex_);
  if (!lockedUntil_) return std::nullopt;
  const auto now = clock_.monotonic();
  if (now >= *lockedUntil_) return std::nullopt;
  // Rounded up, so a client told "1 s" never comes back too early.
  return std::chrono::ceil<std::chrono::seconds>(*lockedUntil_ - now);
}

void SignInGate::recordFailure() {
  const std::lock_guard lock(mutex_);
  const auto now = clock_.monotonic();
  if (lockedUntil_ && now >= *lockedUntil_) {
    lockedUntil_.reset();
    failures_ = 0;
  }
  if (++failures_ >= policy_.maxFailures) lockedUntil_ = now + policy_.lockout;
}

Session SignInGate::signIn() {
  const std::lock_guard lock(mutex_);
  failures_ = 0;
  lockedUntil_.reset();
  dropIdle();
  if (sessions_.size() >= policy_.maxSessions) {
    const auto oldest = std::min_element(
        sessions_.begin(), sessions_.end(),
        [](const auto& a, const auto& b) { return a.second.started < b.second.started; });
    sessions_.erase(oldest);
  }
  const auto now = clock_.monotonic();
  Session session{newToken_(), newToken_()};
  sessions_[session.id] = Entry{session.csrfToken, now, now};
  return session;
}

std::optional<Session> SignInGate::touch(const std::string& sessionId) {
  const std::lock_guard lock(mutex_);
  dropIdle();
  const auto found = sessions_.find(sessionId);
  if (sessionId.empty() || found == sessions_.end()) return std::nullopt;
  found->second.lastUsed = clock_.monotonic();
  return Session{found->first, found->second.csrfToken};
}

void SignInGate::signOut(const std::string& sessionId) {
  const std::lock_guard lock(mutex_);
  sessions_.erase(sessionId);
}

void SignInGate::signOutEveryone() {
  const std::lock_guard lock(mutex_);
  sessions_.clear();
}

bool SignInGate::allowRequest() {
  const std::lock_guard lock(mutex_);
  const auto now = clock_.monotonic();
  const double burst = policy_.requestBurst;
  if (tokens_ < 0) {
    tokens_ = burst;
  } else {
    const std::chrono::duration<double> elapsed = now - refilledAt_;
    tokens_ = std::min(burst, tokens_ + elapsed.count() * policy_.requestsPerMinute / 60.0);
  }
  refilledAt_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

void SignInGate::dropIdle() {
  const auto now = clock_.monotonic();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = now - it->second.lastUsed >= policy_.idleLogout ? sessions_.erase(it) : std::next(it);
  }
}

}  // namespace openmps::client::local_ui
