// openmps-server user add|list|disable|enable|reset-password|reset-totp:
// accounts at the command line, for the first administrator and for
// operators. Passwords come from a file or stdin, never from the command
// line (where every process could read them). Every change is audited as
// "cli:<login name>".
#include <algorithm>
#include <array>
#include <cstdio>
#include <iostream>
#include <iterator>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/auth/audit.hpp"
#include "server/auth/auth_settings.hpp"
#include "server/auth/pg_audit_log.hpp"
#include "server/auth/pg_auth_store.hpp"
#include "server/auth/pg_users.hpp"
#include "server/auth/sign_in.hpp"
#include "server/auth/user_rules.hpp"
#include "server/cli/cli_support.hpp"
#include "server/cli/commands.hpp"
#include "server/config/server_secrets.hpp"
#include "shared/util/files.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::cli {
namespace {

constexpr const char* kUsage =
    "openmps-server user add USERNAME --role ROLE (--root | --dealer NAME | --customer NAME)\n"
    "                        [--password-file FILE|-] [--display-name TEXT] [--email ADDRESS]\n"
    "                        [--locale en|de|fr|it] --config FILE\n"
    "       openmps-server user list [--dealer NAME | --customer NAME] [--json] --config FILE\n"
    "       openmps-server user disable USERNAME --config FILE\n"
    "       openmps-server user enable USERNAME --config FILE\n"
    "       openmps-server user reset-password USERNAME [--password-file FILE|-] --config FILE\n"
    "       openmps-server user reset-totp USERNAME --config FILE\n"
    "Without --password-file, add and reset-password print a one-time password that must be\n"
    "changed at the first sign-in.";

constexpr std::size_t kMaxPasswordFileBytes = 1024;

// Everything one command needs: settings, the sign-in service and its parts.
struct Context {
  explicit Context(const config::ServerConfig& cfg)
      : settings(auth::parseAuthSettings(cfg.sourceText, cfg.sourcePath.string(),
                                         std::filesystem::absolute(cfg.sourcePath).parent_path())),
        policy(auth::makePasswordPolicy(settings)),
        hasher(settings.hashCost, 1),
        vault(config::loadMasterKey(cfg).bytes()),
        service(clock, hasher, policy, vault, settings.signIn),
        conn(cfg.databaseUri.reveal()) {}

  util::SystemClock clock;
  auth::AuthSettings settings;
  auth::PasswordPolicy policy;
  auth::PasswordHasher hasher;
  auth::TotpVault vault;
  auth::SignInService service;
  pqxx::connection conn;
};

std::optional<util::Secret> passwordFrom(const util::ParsedArgs& parsed) {
  const auto file = parsed.get("password-file");
  if (!file) return std::nullopt;
  if (*file == "-") {
    std::string text;
    std::getline(std::cin, text);
    while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.pop_back();
    if (text.empty()) throw std::runtime_error("no password on standard input");
    return util::Secret(std::move(text));
  }
  return util::readSecretFile(*file, kMaxPasswordFileBytes);
}

auth::OrganisationRef organisationFrom(auth::PgUsers& users, const util::ParsedArgs& parsed) {
  const int given =
      int{parsed.has("root")} + int{parsed.has("dealer")} + int{parsed.has("customer")};
  if (given != 1)
    throw util::UsageError("give exactly one of --root, --dealer NAME, --customer NAME");
  std::optional<auth::OrganisationRef> org;
  std::string what;
  if (parsed.has("root")) {
    org = users.organisationNamed("root", "root");
    what = "the root organisation";
  } else {
    const std::string kind = parsed.has("dealer") ? "dealer" : "customer";
    const std::string name = *parsed.get(kind);
    org = users.organisationNamed(kind, name);
    what = "no " + kind + " named '" + name + "' (add it with: org add --" + kind + " NAME)";
  }
  if (!org) throw std::runtime_error(what + " not found");
  return *org;
}

std::string usernameArgument(const util::ParsedArgs& parsed, const char* verb) {
  if (parsed.positional().size() != 2) {
    throw util::UsageError(std::string("user ") + verb + " needs one USERNAME");
  }
  return parsed.positional()[1];
}

auth::UserRecord existingUser(auth::PgUsers& users, const std::string& username) {
  auto user = users.byName(username);
  if (!user) throw std::runtime_error("no user named '" + username + "' (see: user list)");
  return *user;
}

nlohmann::json userJson(const auth::UserRecord& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"role", std::string(auth::toString(u.role))},
          {"organisation", u.organisationName},
          {"organisation_kind", u.organisationKind},
          {"display_name", u.displayName},
          {"email", u.email},
          {"locale", u.locale},
          {"disabled", u.disabled},
          {"totp", u.totpEnabled},
          {"last_sign_in_at",
           u.lastSignInAt ? nlohmann::json(util::formatRfc3339(*u.lastSignInAt)) : nullptr}};
}

int add(Context& ctx, const util::ParsedArgs& parsed) {
  const std::string username = usernameArgument(parsed, "add");
  if (auto problem = auth::usernameProblem(username); !problem.empty()) {
    throw util::UsageError(problem);
  }
  const auto roleText = parsed.get("role");
  if (!roleText) throw util::UsageError("--role ROLE is required");
  const auto role = auth::parseRole(*roleText);
  if (!role) {
    throw util::UsageError(
        "--role: expected root_admin, dealer_admin, dealer_technician, "
        "customer_admin or customer_viewer, got '" +
        *roleText + "'");
  }
  const std::string locale = parsed.getOr("locale", "en");
  if (!auth::isLocale(locale)) throw util::UsageError("--locale: expected en, de, fr or it");
  const auto password = passwordFrom(parsed);
  pqxx::work txn(ctx.conn);
  auth::PgUsers users(txn);
  const auto org = organisationFrom(users, parsed);
  if (auto problem = auth::roleFitProblem(*role, org.kind); !problem.empty()) {
    throw std::runtime_error(problem);
  }
  const util::Secret chosen =
      password ? *password : util::Secret(auth::SignInService::oneTimePassword(username));
  auth::NewUser user;
  user.organisationId = org.id;
  user.username = username;
  user.role = *role;
  user.displayName = parsed.getOr("display-name", "");
  user.email = parsed.getOr("email", "");
  user.locale = locale;
  user.passwordChangeRequired = !password;
  if (auto o = ctx.service.hashNewPassword(chosen, username, user.passwordHash); !o.ok()) {
    throw std::runtime_error("the password is not accepted: " + o.message);
  }
  const std::int64_t id = users.create(user);
  auth::AuditEvent event;
  event.organisationId = org.id;
  event.action = "user.create";
  event.targetType = "user";
  event.targetId = std::to_string(id);
  event.after = userJson(*users.byId(id)).dump();
  auth::writeAudit(txn, auth::AuditActor::commandLine(), event);
  txn.commit();
  std::printf("added user '%s' (id %lld), %s of %s '%s'\n", username.c_str(),
              static_cast<long long>(id), std::string(auth::toString(*role)).c_str(),
              org.kind.c_str(), org.name.c_str());
  if (!password) {
    std::printf("one-time password (shown once; to be changed at the first sign-in): %s\n",
                chosen.reveal().c_str());
  }
  return 0;
}

int list(Context& ctx, const util::ParsedArgs& parsed) {
  pqxx::read_transaction txn(ctx.conn);
  auth::PgUsers users(txn);
  std::int64_t orgId = 0;
  if (parsed.has("dealer") || parsed.has("customer")) orgId = organisationFrom(users, parsed).id;
  std::vector<auth::UserRecord> all;
  for (std::int64_t after = 0;;) {
    auto page = users.list(orgId, after, 500);
    if (page.empty()) break;
    after = page.back().id;
    std::move(page.begin(), page.end(), std::back_inserter(all));
  }
  if (parsed.has("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& u : all) out.push_back(userJson(u));
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%-6s %-28s %-18s %-26s %-9s %s\n", "ID", "USERNAME", "ROLE", "ORGANISATION", "STATE",
              "LAST SIGN-IN");
  for (const auto& u : all) {
    std::printf("%-6lld %-28s %-18s %-26s %-9s %s\n", static_cast<long long>(u.id),
                u.username.c_str(), std::string(auth::toString(u.role)).c_str(),
                u.organisationName.c_str(), u.disabled ? "disabled" : "active",
                u.lastSignInAt ? util::formatRfc3339(*u.lastSignInAt).c_str() : "never");
  }
  return 0;
}

int setDisabled(Context& ctx, const util::ParsedArgs& parsed, bool disabled) {
  const std::string username = usernameArgument(parsed, disabled ? "disable" : "enable");
  pqxx::work txn(ctx.conn);
  auth::PgUsers users(txn);
  const auto before = existingUser(users, username);
  auth::UserChanges changes;
  changes.disabled = disabled;
  const auto after = users.update(before.id, changes, ctx.clock.now());
  if (disabled) {
    auth::PgAuthStore(txn).endSessionsOfUser(before.id, 0);
  }
  auth::AuditEvent event;
  event.organisationId = before.organisationId;
  event.action = disabled ? "user.disable" : "user.enable";
  event.targetType = "user";
  event.targetId = std::to_string(before.id);
  event.before = nlohmann::json{{"disabled", before.disabled}}.dump();
  event.after = nlohmann::json{{"disabled", after.disabled}}.dump();
  auth::writeAudit(txn, auth::AuditActor::commandLine(), event);
  txn.commit();
  std::printf("user '%s' %s\n", before.username.c_str(), disabled ? "disabled" : "enabled");
  return 0;
}

int resetPassword(Context& ctx, const util::ParsedArgs& parsed) {
  const std::string username = usernameArgument(parsed, "reset-password");
  const auto password = passwordFrom(parsed);
  pqxx::work txn(ctx.conn);
  auth::PgUsers users(txn);
  const auto user = existingUser(users, username);
  auth::PgAuthStore store(txn);
  const auto outcome =
      ctx.service.resetPassword(store, auth::AuditActor::commandLine(), user.id, password);
  if (!outcome.ok()) throw std::runtime_error("the password is not accepted: " + outcome.message);
  txn.commit();
  if (password) {
    std::printf("password of '%s' set; its sessions ended\n", user.username.c_str());
  } else {
    std::printf("one-time password for '%s' (shown once; to be changed at the next sign-in): %s\n",
                user.username.c_str(), outcome.message.c_str());
  }
  return 0;
}

int resetTotp(Context& ctx, const util::ParsedArgs& parsed) {
  const std::string username = usernameArgument(parsed, "reset-totp");
  pqxx::work txn(ctx.conn);
  auth::PgUsers users(txn);
  const auto user = existingUser(users, username);
  auth::PgAuthStore store(txn);
  ctx.service.resetTotp(store, auth::AuditActor::commandLine(), user.id);
  txn.commit();
  std::printf(
      "TOTP of '%s' removed; the next sign-in enrols a new authenticator if the role "
      "requires one\n",
      user.username.c_str());
  return 0;
}

}  // namespace

int userCommand(std::span<const std::string> args) {
  const std::array<util::OptionSpec, 12> specs = {
      configOption(),
      util::OptionSpec{"role", true, "ROLE", "the new user's role"},
      util::OptionSpec{"root", false, "", "the user belongs to the root organisation"},
      util::OptionSpec{"dealer", true, "NAME", "the user's dealer"},
      util::OptionSpec{"customer", true, "NAME", "the user's customer"},
      util::OptionSpec{"password-file", true, "FILE|-",
                       "read the password from FILE or stdin (first line)"},
      util::OptionSpec{"display-name", true, "TEXT", "the name shown in the portal"},
      util::OptionSpec{"email", true, "ADDRESS", "the user's e-mail address"},
      util::OptionSpec{"locale", true, "LANG", "en, de, fr or it (default en)"},
      util::OptionSpec{"json", false, "", "list: JSON instead of a table"},
      util::OptionSpec{"password", true, "", "refused: passwords never go on the command line"},
      helpOption()};
  const auto parsed = util::parseArgs(args, specs);
  if (handleHelp(parsed, kUsage, specs)) return 0;
  if (parsed.has("password")) {
    throw util::UsageError(
        "--password is refused: other users can read command lines; use "
        "--password-file FILE or --password-file - (stdin)");
  }
  if (parsed.positional().empty())
    throw util::UsageError("expected a subcommand: " + std::string(kUsage));
  const std::string& verb = parsed.positional().front();
  static constexpr std::array<std::string_view, 6> kVerbs = {
      "add", "list", "disable", "enable", "reset-password", "reset-totp"};
  if (std::find(kVerbs.begin(), kVerbs.end(), verb) == kVerbs.end()) {
    throw util::UsageError("unknown subcommand 'user " + verb + "'");
  }
  const auto cfg = loadConfig(parsed);
  Context ctx(cfg);
  if (verb == "add") return add(ctx, parsed);
  if (verb == "list") return list(ctx, parsed);
  if (verb == "disable") return setDisabled(ctx, parsed, true);
  if (verb == "enable") return setDisabled(ctx, parsed, false);
  if (verb == "reset-password") return resetPassword(ctx, parsed);
  return resetTotp(ctx, parsed);
}

}  // namespace openmps::server::cli
