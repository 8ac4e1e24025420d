#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/auth/caller.hpp"
#include "shared/util/clock.hpp"

// What the database holds about a session or an API token, as the
// authenticator needs it.
namespace openmps::server::auth {

// How far a signed-in browser has come. Anything but kComplete may use only
// the sign-in routes (second factor, TOTP enrolment, password change, /me,
// sign-out).
enum class SessionStage { kComplete, kSecondFactor, kTotpEnrolment, kPasswordChange };

std::string_view toString(SessionStage stage);
std::optional<SessionStage> parseSessionStage(std::string_view name);

struct SessionRecord {
  std::int64_t id = 0;
  SessionStage stage = SessionStage::kComplete;
  util::Clock::WallTime createdAt;
  util::Clock::WallTime lastSeenAt;
  std::string csrfToken;
  bool userDisabled = false;
  Caller caller;  // userId set, apiTokenId 0
};

struct ApiTokenRecord {
  std::int64_t id = 0;
  std::optional<util::Clock::WallTime> expiresAt;
  bool revoked = false;
  util::Clock::WallTime lastUsedAt;
  Caller caller;  // apiTokenId set; userId is the token's creator, or 0
};

}  // namespace openmps::server::auth
