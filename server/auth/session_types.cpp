#include "server/auth/session_types.hpp"

#include <array>
#include <utility>

namespace openmps::server::auth {
namespace {

constexpr std::array<std::pair<SessionStage, std::string_view>, 4> kStageNames{{
    {SessionStage::kComplete, "complete"},
    {SessionStage::kSecondFactor, "second_factor"},
    {SessionStage::kTotpEnrolment, "totp_enrolment"},
    {SessionStage::kPasswordChange, "password_change"},
}};

}  // namespace

std::string_view toString(SessionStage stage) {
  for (const auto& [value, name] : kStageNames) {
    if (value == stage) return name;
  }
  return "unknown";
}

std::optional<SessionStage> parseSessionStage(std::string_view name) {
  for (const auto& [value, stageName] : kStageNames) {
    if (stageName == name) return value;
  }
  return std::nullopt;
}

}  // namespace openmps::server::auth
