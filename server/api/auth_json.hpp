#pragma once

// JSON of people and tokens for the auth routes (session_routes.cpp,
// user_routes.cpp, api_token_routes.cpp). Internal: only those .cpp files
// include it (it brings nlohmann in).

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "server/api/http_types.hpp"
#include "server/auth/pg_api_tokens.hpp"
#include "server/auth/pg_users.hpp"
#include "shared/util/clock.hpp"

namespace openmps::server::api {

nlohmann::json timeJson(const std::optional<util::Clock::WallTime>& t);
nlohmann::json userJson(const auth::UserRecord& user);
nlohmann::json apiTokenJson(const auth::ApiTokenRow& token);
// A weak ETag from the row's last change.
std::string userEtag(const auth::UserRecord& user);
ApiResponse json(int status, const nlohmann::json& body);

// `?limit=` (1..500, default 50) and `?after=` (an id; default 0).
struct Page {
  int limit = 50;
  std::int64_t after = 0;
};
Page pageOf(const ApiRequest& request);
// {"items": [...], "next_after": "ID" or null}
nlohmann::json pageJson(nlohmann::json items, std::size_t limit, std::int64_t lastId);

}  // namespace openmps::server::api
