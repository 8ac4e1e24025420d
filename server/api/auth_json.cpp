#include "server/api/auth_json.hpp"

#include "server/api/problem.hpp"
#include "server/auth/pg_auth_store.hpp"
#include "shared/util/args.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::api {

nlohmann::json timeJson(const std::optional<util::Clock::WallTime>& t) {
  return t ? nlohmann::json(util::formatRfc3339(*t)) : nlohmann::json(nullptr);
}

nlohmann::json userJson(const auth::UserRecord& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"display_name", u.displayName},
          {"email", u.email},
          {"role", std::string(auth::toString(u.role))},
          {"organisation",
           {{"id", u.organisationId}, {"name", u.organisationName}, {"kind", u.organisationKind}}},
          {"site_ids", u.siteIds},
          {"device_group_ids", u.deviceGroupIds},
          {"restricted", !u.siteIds.empty() || !u.deviceGroupIds.empty()},
          {"locale", u.locale},
          {"disabled", u.disabled},
          {"disabled_reason",
           u.disabledReason.empty() ? nlohmann::json(nullptr) : nlohmann::json(u.disabledReason)},
          {"totp_enabled", u.totpEnabled},
          {"has_password", u.hasPassword},
          {"password_change_required", u.passwordChangeRequired},
          {"last_sign_in_at", timeJson(u.lastSignInAt)},
          {"created_at", util::formatRfc3339(u.createdAt)},
          {"updated_at", util::formatRfc3339(u.updatedAt)}};
}

nlohmann::json apiTokenJson(const auth::ApiTokenRow& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"hint", t.hint},
          {"organisation_id", t.organisationId},
          {"role", std::string(auth::toString(t.role))},
          {"created_by", t.createdBy == 0 ? nlohmann::json(nullptr) : nlohmann::json(t.createdBy)},
          {"created_at", util::formatRfc3339(t.createdAt)},
          {"expires_at", timeJson(t.expiresAt)},
          {"revoked_at", timeJson(t.revokedAt)},
          {"last_used_at", timeJson(t.lastUsedAt)}};
}

std::string userEtag(const auth::UserRecord& u) {
  return "W/\"" + std::to_string(u.id) + "-" + std::to_string(auth::toMicros(u.updatedAt)) + "\"";
}

ApiResponse json(int status, const nlohmann::json& body) {
  return jsonResponse(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Page pageOf(const ApiRequest& request) {
  Page page;
  if (const auto it = request.query.find("limit"); it != request.query.end()) {
    const auto n = util::parseInt(it->second);
    if (!n || *n < 1 || *n > 500) {
      throw ApiError(400, "invalid-query", "limit: expected a number from 1 to 500",
                     {{"limit", "expected a number from 1 to 500"}});
    }
    page.limit = static_cast<int>(*n);
  }
  if (const auto it = request.query.find("after"); it != request.query.end()) {
    const auto n = util::parseInt(it->second);
    if (!n || *n < 0) {
      throw ApiError(400, "invalid-query", "after: expected the next_after of the previous page",
                     {{"after", "expected the next_after of the previous page"}});
    }
    page.after = *n;
  }
  return page;
}

nlohmann::json pageJson(nlohmann::json items, std::size_t limit, std::int64_t lastId) {
  const bool full = items.size() >= limit;
  return {{"items", std::move(items)},
          {"next_after", full ? nlohmann::json(std::to_string(lastId)) : nlohmann::json(nullptr)}};
}

}  // namespace openmps::server::api
