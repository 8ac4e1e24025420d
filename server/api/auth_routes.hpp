#pragma once

#include <functional>
#include <string_view>

#include "server/api/router.hpp"
#include "server/auth/auth_services.hpp"
#include "shared/util/clock.hpp"

// The routes of people and tokens (server/auth behind them):
// session_routes.cpp  sign-in and out, second factor, /me, own password,
//                     TOTP, recovery codes, OpenID Connect;
// user_routes.cpp     users of the caller's subtree;
// api_token_routes.cpp API tokens;
// audit_routes.cpp   the audit log.
namespace openmps::server::api {

// Told of every refused sign-in step (password, second factor, single
// sign-on) with its reason: "refused", "locked" or "sso" (/metrics).
using SignInFailureObserver = std::function<void(std::string_view reason)>;

void registerSessionRoutes(Router& router, auth::AuthServices& services, const util::Clock& clock,
                           const SignInFailureObserver& failed = {});
void registerUserRoutes(Router& router, auth::AuthServices& services, const util::Clock& clock);
void registerApiTokenRoutes(Router& router, const util::Clock& clock);
void registerAuditRoutes(Router& router);

}  // namespace openmps::server::api
