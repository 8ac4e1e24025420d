// The YAML side of auth_settings.hpp, read with shared/yaml.
#include <algorithm>
#include <optional>

#include "server/auth/auth_settings.hpp"
#include "shared/util/duration.hpp"
#include "shared/util/files.hpp"
#include "shared/util/log.hpp"
#include "shared/yaml/yaml_field.hpp"

namespace openmps::server::auth {
namespace {

using yaml::Field;

std::chrono::seconds duration(const Field& field, std::chrono::seconds min,
                              std::chrono::seconds max) {
  const std::string text = field.text(32);
  const auto parsed = util::parseDuration(text);
  if (!parsed || *parsed < min || *parsed > max) {
    field.fail("expected a duration from " + util::formatDuration(min) + " to " +
               util::formatDuration(max) + " (such as 90s, 15m, 12h or 180d), got '" + text + "'");
  }
  return *parsed;
}

Role role(const Field& field) {
  const std::string text = field.text(40);
  const auto parsed = parseRole(text);
  if (!parsed) {
    field.fail(
        "expected root_admin, dealer_admin, dealer_technician, customer_admin or "
        "customer_viewer, got '" +
        text + "'");
  }
  return *parsed;
}

void parseLockout(const Field& section, AuthSettings& out) {
  using std::chrono::hours;
  using std::chrono::seconds;
  for (const auto& [key, f] : section.entries(
           {"account_failures", "account_duration", "address_failures", "address_duration"})) {
    if (key == "account_failures") {
      out.signIn.account.maxFailures = static_cast<int>(f.integer(1, 1000));
    } else if (key == "account_duration") {
      out.signIn.account.duration = duration(f, seconds(1), hours(24 * 7));
    } else if (key == "address_failures") {
      out.signIn.address.maxFailures = static_cast<int>(f.integer(1, 100'000));
    } else {
      out.signIn.address.duration = duration(f, seconds(1), hours(24 * 7));
    }
  }
}

void parsePassword(const Field& section, AuthSettings& out) {
  for (const auto& [key, f] : section.entries(
           {"word_list", "hash_memory_kib", "hash_iterations", "max_concurrent_hashes"})) {
    if (key == "word_list") {
      const std::string text = f.text();
      out.wordList = text == "none" ? std::filesystem::path() : f.context().resolve(text);
      out.wordListRequired = text != "none";
    } else if (key == "hash_memory_kib") {
      out.hashCost.memoryBytes = static_cast<std::size_t>(f.integer(8, 4 << 20)) * 1024;
    } else if (key == "hash_iterations") {
      out.hashCost.iterations = static_cast<std::uint64_t>(f.integer(1, 100));
    } else {
      out.maxConcurrentHashes = static_cast<int>(f.integer(1, 256));
    }
  }
}

void checkHttpsUrl(const Field& field, const std::string& value) {
  if (!value.starts_with("https://")) field.fail("expected an https:// URL, got '" + value + "'");
}

void parseOidc(const Field& section, AuthSettings& out) {
  OidcSettings& o = out.oidc;
  o.enabled = true;
  bool haveSecret = false;
  for (const auto& [key, f] : section.entries(
           {"enabled", "issuer", "client_id", "client_secret", "client_secret_file", "redirect_uri",
            "scopes", "claim", "organisation", "default_role", "ca_file", "button_label"})) {
    if (key == "enabled") {
      o.enabled = f.boolean();
    } else if (key == "issuer") {
      o.issuer = f.text(500);
      checkHttpsUrl(f, o.issuer);
      while (o.issuer.ends_with('/')) o.issuer.pop_back();
    } else if (key == "client_id") {
      o.clientId = f.text(500);
    } else if (key == "client_secret" || key == "client_secret_file") {
      if (haveSecret) f.fail("give either client_secret or client_secret_file, not both");
      haveSecret = true;
      if (key == "client_secret") {
        o.clientSecret = util::Secret(f.text(4096));
      } else {
        try {
          o.clientSecret = util::readSecretFile(f.context().resolve(f.text()));
        } catch (const std::exception& e) {
          f.fail(e.what());
        }
      }
    } else if (key == "redirect_uri") {
      o.redirectUri = f.text(500);
      checkHttpsUrl(f, o.redirectUri);
    } else if (key == "scopes") {
      o.scopes.clear();
      for (const auto& s : f.list()) o.scopes.push_back(s.text(100));
      if (std::find(o.scopes.begin(), o.scopes.end(), "openid") == o.scopes.end()) {
        f.fail("the scopes must include openid");
      }
    } else if (key == "claim") {
      o.claim = f.text(100);
    } else if (key == "organisation") {
      o.organisation = f.text(200);
    } else if (key == "default_role") {
      o.defaultRole = role(f);
    } else if (key == "ca_file") {
      o.caFile = f.context().resolve(f.text());
    } else {
      o.buttonLabel = f.text(100);
    }
  }
  if (!o.enabled) return;
  const auto missing = [&](const char* key) {
    section.context().fail(section.mark(), "auth.oidc." + std::string(key), "missing");
  };
  if (o.issuer.empty()) missing("issuer");
  if (o.clientId.empty()) missing("client_id");
  if (!haveSecret) missing("client_secret_file");
  if (o.redirectUri.empty()) missing("redirect_uri");
}

}  // namespace

AuthSettings parseAuthSettings(const std::string& configText, const std::string& sourceName,
                               const std::filesystem::path& baseDir) {
  using std::chrono::hours;
  using std::chrono::minutes;
  using std::chrono::seconds;
  yaml::Options options;
  options.maxText = 4096;
  options.emptyTextAllowed = false;
  const yaml::Context ctx(sourceName, baseDir, yaml::throwFormatted<AuthConfigError>, options);
  const Field root = ctx.load(configText);
  AuthSettings out;
  std::optional<Field> section;
  for (auto& [key, field] : root.entries()) {
    if (key == "auth") section = field;
  }
  if (!section) return out;
  if (!section->isMap()) section->fail("expected a mapping");
  for (const auto& [key, f] :
       section->entries({"session_idle_timeout", "session_lifetime", "lockout", "password",
                         "totp_required", "totp_issuer", "idle_user_disable", "oidc"})) {
    if (key == "session_idle_timeout") {
      out.session.idleTimeout = duration(f, minutes(1), hours(24));
    } else if (key == "session_lifetime") {
      out.session.maxLifetime = duration(f, minutes(5), hours(24 * 30));
    } else if (key == "lockout") {
      parseLockout(f, out);
    } else if (key == "password") {
      parsePassword(f, out);
    } else if (key == "totp_required") {
      out.signIn.totpRequired.clear();
      for (const auto& r : f.list()) out.signIn.totpRequired.insert(role(r));
    } else if (key == "totp_issuer") {
      out.signIn.totpIssuer = f.text(100);
    } else if (key == "idle_user_disable") {
      out.signIn.idleUserLimit = duration(f, hours(24), hours(24 * 3650));
    } else {
      parseOidc(f, out);
    }
  }
  if (out.session.maxLifetime < out.session.idleTimeout) {
    ctx.fail(section->mark(), "auth.session_lifetime", "must be at least session_idle_timeout");
  }
  if (const auto problem = hashCostProblem(out.hashCost); !problem.empty()) {
    ctx.fail(section->mark(), "auth.password", problem);
  }
  return out;
}

PasswordPolicy makePasswordPolicy(const AuthSettings& settings) {
  PasswordPolicy policy(settings.passwordRules);
  if (settings.wordList.empty()) return policy;
  std::error_code ec;
  if (!settings.wordListRequired && !std::filesystem::exists(settings.wordList, ec)) {
    util::logInfo("auth") << "no word list at " << settings.wordList.string()
                          << " (Debian package cracklib-runtime); new passwords are checked "
                             "against the built-in list only";
    return policy;
  }
  try {
    policy.addWordList(settings.wordList);
  } catch (const std::exception& e) {
    throw AuthConfigError(std::string("auth.password.word_list: ") + e.what());
  }
  return policy;
}

}  // namespace openmps::server::auth
