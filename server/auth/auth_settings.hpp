#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/auth/authenticator.hpp"
#include "server/auth/password_hasher.hpp"
#include "server/auth/password_policy.hpp"
#include "server/auth/sign_in.hpp"
#include "shared/util/secret.hpp"

// The `auth:` section of the server's configuration file (server/README.md,
// "Users, sign-in and tokens", documents every key).
namespace openmps::server::auth {

class AuthConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr const char* kDefaultWordList = "/usr/share/dict/cracklib-small";

struct OidcSettings {
  bool enabled = false;
  std::string
      issuer;  // https://...; the discovery document is ISSUER/.well-known/openid-configuration
  std::string clientId;
  util::Secret clientSecret;
  // Where the provider sends the browser back: https://HOST:PORT/api/v1/auth/oidc/callback.
  std::string redirectUri;
  std::vector<std::string> scopes{"openid", "email", "profile"};
  // The ID token claim that names the user (matched against user names).
  std::string claim = "email";
  // Users the provider signs in for the first time are created here with
  // defaultRole; empty organisation: only existing users may sign in.
  std::string organisation;
  Role defaultRole = Role::kCustomerViewer;
  std::filesystem::path caFile;  // empty: the system's trusted CAs
  std::string buttonLabel = "Single sign-on";
};

struct AuthSettings {
  SessionPolicy session;
  SignInSettings signIn;
  PasswordRules passwordRules;
  // The word list new passwords are checked against besides the built-in
  // list; empty: none. The default is used only when it exists.
  std::filesystem::path wordList = kDefaultWordList;
  bool wordListRequired = false;  // named in the file: it must exist
  HashCost hashCost;
  int maxConcurrentHashes = 4;
  OidcSettings oidc;
};

// Reads the `auth:` section of the whole configuration text (absent: the
// defaults). Errors name the file, line and field (AuthConfigError).
AuthSettings parseAuthSettings(const std::string& configText, const std::string& sourceName,
                               const std::filesystem::path& baseDir);

// The password policy the settings describe, its word list loaded.
PasswordPolicy makePasswordPolicy(const AuthSettings& settings);

}  // namespace openmps::server::auth
