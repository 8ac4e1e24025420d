#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/account_store.hpp"
#include "server/auth/auth_settings.hpp"
#include "server/auth/oidc.hpp"
#include "server/auth/oidc_http.hpp"
#include "server/auth/sign_in.hpp"

// OpenID Connect sign-in: the redirect to the provider and the answer
// coming back. Pending sign-ins live in the database (any server may take
// the answer); the provider's discovery document and keys are cached here.
namespace openmps::server::auth {

struct PendingLoginRecord {
  TokenHash browserHash{};
  std::string nonce;
  std::string codeVerifier;
  WallTime createdAt;
};

// The database side (PgAuthStore; a fake in unit tests).
class OidcStore {
 public:
  virtual ~OidcStore() = default;
  virtual void savePendingLogin(const TokenHash& stateHash, const TokenHash& browserHash,
                                std::string_view nonce, std::string_view codeVerifier,
                                WallTime at) = 0;
  // Removes and returns it: each answer is taken once.
  virtual std::optional<PendingLoginRecord> takePendingLogin(const TokenHash& stateHash) = 0;
  virtual std::optional<std::int64_t> userOfIdentity(std::string_view issuer,
                                                     std::string_view subject) = 0;
  virtual void linkIdentity(std::string_view issuer, std::string_view subject,
                            std::int64_t userId) = 0;
  // Users whose name or e-mail address is `value` (without regard to case)
  // inside the subtree of `organisationId` (0: anywhere); at most two.
  virtual std::vector<std::int64_t> usersMatching(std::string_view value,
                                                  std::int64_t organisationId) = 0;
  // The organisation new users are created in, by name; 0 when none or
  // the name is ambiguous. Its kind in `kind`.
  virtual std::int64_t organisationNamed(std::string_view name, std::string& kind) = 0;
  // A user without a password; 0 when the name is taken.
  virtual std::int64_t createExternalUser(std::int64_t organisationId, std::string_view username,
                                          std::string_view displayName, std::string_view email,
                                          Role role) = 0;
};

struct OidcStart {
  std::string redirectUrl;     // the provider's authorization endpoint with the request
  std::string browserBinding;  // for the short-lived omps_oidc cookie
};

class OidcSignIn {
 public:
  OidcSignIn(const util::Clock& clock, OidcSettings settings, OidcHttp& http,
             const SignInService& signIn);

  OidcStart start(OidcStore& store);
  // The provider's answer: code and state from the query string, the
  // browser's omps_oidc cookie. A complete session, or why not.
  Outcome finish(AccountStore& accounts, OidcStore& store, std::string_view code,
                 std::string_view state, std::string_view browserBinding, std::string_view peer);

  const OidcSettings& settings() const { return settings_; }

  static constexpr std::chrono::seconds kPendingLifetime{600};

 private:
  OidcProvider provider();
  const Jwk* keyFor(const IdToken& token, std::vector<Jwk>& keys);
  std::int64_t resolveUser(AccountStore& accounts, OidcStore& store, const IdTokenClaims& claims,
                           std::string& why);

  const util::Clock& clock_;
  OidcSettings settings_;
  OidcHttp& http_;
  const SignInService& signIn_;
  std::mutex mutex_;
  std::optional<OidcProvider> provider_;
  util::Clock::MonoTime providerFetched_{};
  std::vector<Jwk> keys_;
  std::optional<util::Clock::MonoTime> keysFetched_;
};

}  // namespace openmps::server::auth
