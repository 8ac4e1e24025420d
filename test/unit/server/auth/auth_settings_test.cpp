#include "server/auth/auth_settings.hpp"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

using namespace openmps::server::auth;
using Catch::Matchers::Contains;
using namespace std::chrono_literals;

namespace {
AuthSettings parse(const std::string& text) {
  return parseAuthSettings(text, "server.yaml", std::filesystem::temp_directory_path());
}
std::string error(const std::string& text) {
  try {
    parse(text);
  } catch (const AuthConfigError& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("without an auth section the defaults apply", "[server][auth]") {
  const auto s = parse("database:\n  uri: postgresql://x\n");
  CHECK(s.session.idleTimeout == 30min);
  CHECK(s.session.maxLifetime == 12h);
  CHECK(s.signIn.account.maxFailures == 5);
  CHECK(s.signIn.account.duration == 15min);
  CHECK(s.signIn.address.maxFailures == 30);
  CHECK(s.signIn.idleUserLimit == std::chrono::hours(24 * 180));
  CHECK(s.hashCost.memoryBytes == 64u << 20);
  CHECK(s.hashCost.iterations == 3);
  CHECK(s.wordList == kDefaultWordList);
  CHECK_FALSE(s.wordListRequired);
  CHECK(s.signIn.totpRequired == std::set<Role>{Role::kRootAdmin, Role::kDealerAdmin});
  CHECK_FALSE(s.oidc.enabled);
}

TEST_CASE("every auth key is read", "[server][auth]") {
  const auto secret = std::filesystem::temp_directory_path() / "openmps_oidc_secret_test";
  { std::ofstream(secret) << "s3cret\n"; }
  const auto s = parse(
      "auth:\n"
      "  session_idle_timeout: 10m\n"
      "  session_lifetime: 8h\n"
      "  lockout: {account_failures: 3, account_duration: 1h, address_failures: 20,"
      " address_duration: 5m}\n"
      "  password: {word_list: none, hash_memory_kib: 1024, hash_iterations: 2,"
      " max_concurrent_hashes: 2}\n"
      "  totp_required: [customer_admin]\n"
      "  totp_issuer: Print Partner\n"
      "  idle_user_disable: 90d\n"
      "  oidc:\n"
      "    issuer: https://id.example.com/realms/x/\n"
      "    client_id: openmps\n"
      "    client_secret_file: " +
      secret.string() +
      "\n"
      "    redirect_uri: https://portal.example.com/api/v1/auth/oidc/callback\n"
      "    claim: preferred_username\n"
      "    organisation: Print Partner\n"
      "    default_role: dealer_technician\n");
  CHECK(s.session.idleTimeout == 10min);
  CHECK(s.session.maxLifetime == 8h);
  CHECK(s.signIn.account.maxFailures == 3);
  CHECK(s.signIn.account.duration == 1h);
  CHECK(s.signIn.address.maxFailures == 20);
  CHECK(s.signIn.address.duration == 5min);
  CHECK(s.wordList.empty());
  CHECK(s.hashCost.memoryBytes == 1024u * 1024u);
  CHECK(s.hashCost.iterations == 2);
  CHECK(s.maxConcurrentHashes == 2);
  CHECK(s.signIn.totpRequired == std::set<Role>{Role::kCustomerAdmin});
  CHECK(s.signIn.totpIssuer == "Print Partner");
  CHECK(s.signIn.idleUserLimit == std::chrono::hours(24 * 90));
  CHECK(s.oidc.enabled);
  CHECK(s.oidc.issuer == "https://id.example.com/realms/x");
  CHECK(s.oidc.clientSecret.reveal() == "s3cret");
  CHECK(s.oidc.claim == "preferred_username");
  CHECK(s.oidc.defaultRole == Role::kDealerTechnician);
  std::filesystem::remove(secret);
}

TEST_CASE("auth errors name the line and the field", "[server][auth]") {
  CHECK_THAT(error("auth:\n  session_idle_timeout: 30\n"),
             Contains("server.yaml:2:25: auth.session_idle_timeout: expected a duration"));
  CHECK_THAT(error("auth:\n  totp_required: [boss]\n"), Contains("'boss'"));
  CHECK_THAT(error("auth:\n  lockout:\n    account_failure: 3\n"), Contains("account_failure"));
  CHECK_THAT(error("auth:\n  oidc:\n    issuer: http://id.example.com\n"), Contains("https://"));
  CHECK_THAT(error("auth:\n  oidc:\n    issuer: https://id.example.com\n"),
             Contains("auth.oidc.client_id: missing"));
  CHECK_THAT(error("auth:\n  session_idle_timeout: 2h\n  session_lifetime: 1h\n"),
             Contains("at least session_idle_timeout"));
  CHECK_THAT(error("auth:\n  password: {word_list: /nonexistent/words}\n"),
             Contains("(no error)"));  // read when the policy is made
}

TEST_CASE("a named word list must exist", "[server][auth]") {
  const auto s = parse("auth:\n  password: {word_list: /nonexistent/words}\n");
  CHECK_THROWS_WITH(makePasswordPolicy(s), Contains("auth.password.word_list"));
}
