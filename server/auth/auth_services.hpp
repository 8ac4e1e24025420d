#pragma once

#include <memory>

#include "server/auth/auth_settings.hpp"
#include "server/auth/authenticator.hpp"
#include "server/auth/oidc_sign_in.hpp"
#include "server/auth/sign_in.hpp"
#include "server/config/server_config.hpp"
#include "shared/util/clock.hpp"

// Everything of server/auth a running server needs, built once from the
// configuration: the authenticator every request goes through, the sign-in
// service, OpenID Connect when configured, and the housekeeping that
// disables idle users and forgets expired sessions, failures and locks.
namespace openmps::server::auth {

class AuthServices {
 public:
  // Reads the auth: section and the master key (TOTP secrets are sealed
  // with a key derived from it). Throws AuthConfigError and the like.
  AuthServices(const config::ServerConfig& config, const util::Clock& clock);
  ~AuthServices();
  AuthServices(const AuthServices&) = delete;
  AuthServices& operator=(const AuthServices&) = delete;

  const AuthSettings& settings() const { return settings_; }
  const Authenticator& authenticator() const { return authenticator_; }
  const SignInService& signIn() const { return *signIn_; }
  // Null when auth.oidc is not configured.
  OidcSignIn* oidc() { return oidc_.get(); }

  // Every 10 minutes on a thread of its own: users idle for
  // auth.idle_user_disable disabled (audited), expired sessions, old
  // failures, lifted locks and unanswered OpenID Connect sign-ins removed.
  void startHousekeeping();
  void stopHousekeeping();
  // One round of it, now (the thread's job; tests).
  void housekeepOnce();

 private:
  struct Parts;
  const config::ServerConfig& config_;
  const util::Clock& clock_;
  AuthSettings settings_;
  std::unique_ptr<Parts> parts_;
  Authenticator authenticator_;
  std::unique_ptr<SignInService> signIn_;
  std::unique_ptr<OidcHttp> oidcHttp_;
  std::unique_ptr<OidcSignIn> oidc_;
};

}  // namespace openmps::server::auth
