// openmps-server alert list|show|ack|rules|subscribe|subscriptions|
// unsubscribe|test-notify|sweep: alerts, their rules and who hears of them.
// Everything here is an alerts:: operation (server/alerts/pg_alert_admin)
// in one transaction as the owner, audited as cli:<login>.
#include <array>
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/alerts/pg_alert_admin.hpp"
#include "server/alerts/pg_alert_sweep.hpp"
#include "server/cli/cli_support.hpp"
#include "server/cli/commands.hpp"
#include "server/notify/notify_services.hpp"
#include "server/notify/pg_notify_admin.hpp"
#include "server/notify/templates.hpp"
#include "shared/util/base64.hpp"
#include "shared/util/duration.hpp"
#include "shared/util/files.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::cli {
namespace {

using json = nlohmann::json;

constexpr const char* kUsage =
    "openmps-server alert list [--dealer NAME | --customer NAME | --device ID] [--state STATE]\n"
    "                          [--condition C] [--limit N] [--locale L] [--json] --config FILE\n"
    "       openmps-server alert show ID [--json] --config FILE\n"
    "       openmps-server alert ack ID --note TEXT --config FILE\n"
    "       openmps-server alert rules [--dealer NAME | --customer NAME | --device ID]\n"
    "                          [--set KEY=VALUE ...] [--unset KEY ...] [--json] --config FILE\n"
    "       openmps-server alert subscribe (--dealer NAME | --customer NAME)\n"
    "                          (--email ADDRESS | --user NAME | --role ROLE | --webhook URL\n"
    "                          [--secret-file FILE]) [--min-severity S] [--conditions A,B]\n"
    "                          [--locale L] [--include-clears] --config FILE\n"
    "       openmps-server alert subscriptions [--dealer NAME | --customer NAME] [--json] "
    "--config FILE\n"
    "       openmps-server alert unsubscribe ID --config FILE\n"
    "       openmps-server alert test-notify (--to ADDRESS | --webhook URL --secret-file FILE |\n"
    "                          --subscription ID) [--dealer NAME | --customer NAME]\n"
    "                          [--locale L] [--wait DURATION] --config FILE\n"
    "       openmps-server alert sweep [timers|silence|meters|forecast] --config FILE";

std::int64_t idArgument(const std::string& what, const std::string& text) {
  const auto id = util::parseInt(text);
  if (!id || *id <= 0) throw util::UsageError(what + ": '" + text + "' is not an id");
  return *id;
}

struct Organisation {
  std::int64_t id = 0;
  std::string name;
  std::string kind;
  std::string locale;
};

// --dealer NAME, --customer NAME, or the root.
Organisation organisationFrom(pqxx::transaction_base& txn, const util::ParsedArgs& parsed) {
  if (parsed.has("dealer") && parsed.has("customer")) {
    throw util::UsageError("give --dealer or --customer, not both");
  }
  const std::string kind = parsed.has("dealer")     ? "dealer"
                           : parsed.has("customer") ? "customer"
                                                    : "root";
  const std::string name = parsed.getOr(kind, "");
  const auto r =
      kind == "root"
          ? txn.exec("SELECT id, name, kind, locale FROM organisations WHERE kind = 'root'")
          : txn.exec_params(
                "SELECT id, name, kind, locale FROM organisations WHERE "
                "kind = $1 AND lower(name) = lower($2)",
                kind, name);
  if (r.empty()) throw std::runtime_error("no " + kind + " named '" + name + "'");
  return {r[0][0].as<std::int64_t>(), r[0][1].as<std::string>(), r[0][2].as<std::string>(),
          r[0][3].as<std::string>()};
}

// Runs `body` in one transaction as the owner; commits when it returns.
template <typename F>
int inTransaction(const util::ParsedArgs& parsed, F body) {
  const auto cfg = loadConfig(parsed);
  pqxx::connection conn(cfg.databaseUri.reveal());
  pqxx::work txn(conn);
  try {
    const int rc = body(txn, cfg);
    txn.commit();
    return rc;
  } catch (const alerts::AlertAdminError& e) {
    throw std::runtime_error(e.what());
  }
}

std::string alertLine(const alerts::AlertRow& row) {
  const auto& c = row.context;
  const auto& a = c.alert;
  std::string device = c.deviceId != 0 ? c.deviceModel + " " + c.deviceSerial + " (device " +
                                             std::to_string(c.deviceId) + ")"
                                       : "collector " + std::to_string(c.collectorId);
  std::string line = std::to_string(a.id) + "  " + alerts::toString(a.state) + "  " +
                     alerts::toString(a.severity) + "  " + a.condition +
                     (a.subject.empty() ? "" : "[" + a.subject + "]") + "  " + row.title + "  " +
                     device + "  " + c.customer + "  since " + util::formatRfc3339(a.since);
  if (a.acknowledgedAt) line += "  acknowledged by " + row.acknowledgedBy;
  return line;
}

int list(const util::ParsedArgs& parsed) {
  return inTransaction(parsed, [&](pqxx::work& txn, const config::ServerConfig&) {
    alerts::AlertFilter f;
    if (parsed.has("device")) {
      f.deviceId = idArgument("--device", *parsed.get("device"));
    } else if (parsed.has("dealer") || parsed.has("customer")) {
      f.organisationId = organisationFrom(txn, parsed).id;
    }
    f.state = parsed.getOr("state", "active");
    f.condition = parsed.getOr("condition", "");
    f.limit = static_cast<int>(parsed.intOr("limit", 100, 1, 10'000));
    f.locale = notify::localeOrDefault(parsed.getOr("locale", "en"));
    const auto rows = alerts::listAlerts(txn, f);
    if (parsed.has("json")) {
      json out = json::array();
      for (const auto& r : rows) out.push_back(json::parse(alerts::alertRowJson(r)));
      std::printf("%s\n", out.dump(2).c_str());
    } else {
      for (const auto& r : rows) std::printf("%s\n", alertLine(r).c_str());
    }
    return 0;
  });
}

int show(const util::ParsedArgs& parsed, const std::string& idText) {
  const auto id = idArgument("alert show", idText);
  return inTransaction(parsed, [&](pqxx::work& txn, const config::ServerConfig&) {
    const auto row =
        alerts::findAlert(txn, id, notify::localeOrDefault(parsed.getOr("locale", "en")));
    if (!row) throw std::runtime_error("no alert " + idText);
    std::printf("%s\n", parsed.has("json") ? json::parse(alerts::alertRowJson(*row)).dump(2).c_str()
                                           : alertLine(*row).c_str());
    return 0;
  });
}

int ack(const util::ParsedArgs& parsed, const std::string& idText) {
  const auto id = idArgument("alert ack", idText);
  if (!parsed.has("note"))
    throw util::UsageError("--note TEXT is required (it goes to the audit log)");
  return inTransaction(parsed, [&](pqxx::work& txn, const config::ServerConfig&) {
    const auto row =
        alerts::acknowledge(txn, id, *parsed.get("note"), auth::AuditActor::commandLine(), "en");
    std::printf("%s\n", alertLine(row).c_str());
    return 0;
  });
}

int rules(const util::ParsedArgs& parsed) {
  return inTransaction(parsed, [&](pqxx::work& txn, const config::ServerConfig&) {
    alerts::RulesScope scope;
    if (parsed.has("device")) {
      scope = {"device", idArgument("--device", *parsed.get("device"))};
    } else {
      scope = {"organisation", organisationFrom(txn, parsed).id};
    }
    std::vector<std::pair<std::string, std::string>> sets;
    for (const auto& s : parsed.all("set")) {
      const auto eq = s.find('=');
      if (eq == std::string::npos || eq == 0) {
        throw util::UsageError("--set: expected KEY=VALUE (such as jam.hold_down=10m), got '" + s +
                               "'");
      }
      sets.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    }
    const auto unsets = parsed.all("unset");
    const auto view =
        sets.empty() && unsets.empty()
            ? alerts::rulesOf(txn, scope)
            : alerts::changeRules(txn, scope, sets, unsets, auth::AuditActor::commandLine());
    if (parsed.has("json")) {
      std::printf("%s\n", json{{"scope", scope.scope},
                               {"id", scope.id},
                               {"settings", json::parse(view.layer)},
                               {"effective", json::parse(view.effective)}}
                              .dump(2)
                              .c_str());
    } else {
      std::printf("set here: %s\neffective:\n%s\n", view.layer.c_str(),
                  json::parse(view.effective).dump(2).c_str());
    }
    return 0;
  });
}

int subscribe(const util::ParsedArgs& parsed) {
  if (!parsed.has("dealer") && !parsed.has("customer")) {
    throw util::UsageError("--dealer NAME or --customer NAME: whose alerts");
  }
  const int targets = int{parsed.has("email")} + int{parsed.has("user")} + int{parsed.has("role")} +
                      int{parsed.has("webhook")};
  if (targets != 1) {
    throw util::UsageError("give one of --email ADDRESS, --user NAME, --role ROLE, --webhook URL");
  }
  const auto cfg = loadConfig(parsed);
  const util::SystemClock clock;
  notify::NotifyServices services(cfg, clock);
  pqxx::connection conn(cfg.databaseUri.reveal());
  pqxx::work txn(conn);
  alerts::Subscription s;
  s.organisationId = organisationFrom(txn, parsed).id;
  std::string shownSecret;
  if (parsed.has("webhook")) {
    s.channel = notify::Channel::kWebhook;
    s.url = *parsed.get("webhook");
    std::string secret;
    if (parsed.has("secret-file")) {
      secret = util::readSecretFile(*parsed.get("secret-file")).reveal();
    } else {
      secret = notify::WebhookSecrets::generate();
      shownSecret = secret;
    }
    s.sealedSecret = services.secrets().seal(secret);
  } else if (parsed.has("user")) {
    const auto r = txn.exec_params("SELECT id FROM users WHERE lower(username) = lower($1)",
                                   *parsed.get("user"));
    if (r.empty()) throw std::runtime_error("no user named '" + *parsed.get("user") + "'");
    s.userId = r[0][0].as<std::int64_t>();
  } else {
    s.role = parsed.getOr("role", "");
    s.address = parsed.getOr("email", "");
  }
  s.locale = parsed.getOr("locale", "");
  const auto severity = alerts::severityFromString(parsed.getOr("min-severity", "warning"));
  if (!severity) throw util::UsageError("--min-severity: expected info, warning or critical");
  s.minSeverity = *severity;
  std::string conditions = parsed.getOr("conditions", "");
  for (std::size_t at = 0; at < conditions.size();) {
    const auto comma = conditions.find(',', at);
    const auto part =
        conditions.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (!part.empty()) s.conditions.push_back(part);
    at = comma == std::string::npos ? conditions.size() : comma + 1;
  }
  s.includeClears = parsed.has("include-clears");
  try {
    const auto row = alerts::addSubscription(txn, s, auth::AuditActor::commandLine());
    txn.commit();
    std::printf("subscription %lld for %s\n", static_cast<long long>(row.subscription.id),
                row.organisation.c_str());
  } catch (const alerts::AlertAdminError& e) {
    throw std::runtime_error(e.what());
  }
  if (!shownSecret.empty()) {
    std::fprintf(stderr, "the webhook's signing secret (shown once; keep it for the receiver):\n");
    std::printf("%s\n", shownSecret.c_str());
  }
  return 0;
}

int subscriptions(const util::ParsedArgs& parsed) {
  return inTransaction(parsed, [&](pqxx::work& txn, const config::ServerConfig&) {
    std::optional<std::int64_t> org;
    if (parsed.has("dealer") || parsed.has("customer")) org = organisationFrom(txn, parsed).id;
    json out = json::array();
    for (const auto& row : alerts::listSubscriptions(txn, org)) {
      if (parsed.has("json")) {
        out.push_back(json::parse(alerts::subscriptionJson(row)));
        continue;
      }
      const auto& s = row.subscription;
      const std::string target = s.channel == notify::Channel::kWebhook ? "webhook " + s.url
                                 : s.userId != 0                        ? "user " + row.userName
                                 : !s.role.empty()                      ? "role " + s.role
                                                                        : "address " + s.address;
      std::string conditions;
      for (const auto& c : s.conditions) conditions += (conditions.empty() ? "" : ",") + c;
      std::printf("%lld  %s  %s  from %s%s%s\n", static_cast<long long>(s.id),
                  row.organisation.c_str(), target.c_str(), alerts::toString(s.minSeverity),
                  conditions.empty() ? "" : "  only ", conditions.c_str());
    }
    if (parsed.has("json")) std::printf("%s\n", out.dump(2).c_str());
    return 0;
  });
}

int unsubscribe(const util::ParsedArgs& parsed, const std::string& idText) {
  const auto id = idArgument("alert unsubscribe", idText);
  return inTransaction(parsed, [&](pqxx::work& txn, const config::ServerConfig&) {
    alerts::removeSubscription(txn, id, auth::AuditActor::commandLine());
    std::printf("subscription %s removed\n", idText.c_str());
    return 0;
  });
}

// Delivers until the notification had its first attempt (or the wait ends).
notify::OutboxEntry deliverUntilTried(notify::NotifyServices& services,
                                      notify::PgNotifyAdmin& admin, std::int64_t id,
                                      std::chrono::seconds wait) {
  auto store = services.makeStore();
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const bool delivered = services.delivery().deliverOne(*store);
    const auto entry = admin.find(id);
    if (!entry) throw std::runtime_error("notification " + std::to_string(id) + " vanished");
    if (entry->state != "queued" || entry->attempts > 0 ||
        std::chrono::steady_clock::now() >= deadline) {
      return *entry;
    }
    if (!delivered) store->waitForWork(std::chrono::milliseconds(200));
  }
}

int testNotify(const util::ParsedArgs& parsed) {
  const int ways =
      int{parsed.has("to")} + int{parsed.has("webhook")} + int{parsed.has("subscription")};
  if (ways != 1) throw util::UsageError("give --to ADDRESS, --webhook URL or --subscription ID");
  if (parsed.has("webhook") && !parsed.has("secret-file")) {
    throw util::UsageError("--webhook needs --secret-file FILE (the signing secret)");
  }
  const auto waitText = parsed.getOr("wait", "60s");
  const auto wait = util::parseDuration(waitText);
  if (!wait)
    throw util::UsageError("--wait: expected a duration such as 30s, got '" + waitText + "'");
  const auto cfg = loadConfig(parsed);
  const util::SystemClock clock;
  notify::NotifyServices services(cfg, clock);
  notify::PgNotifyAdmin admin(cfg.databaseUri);
  const std::string when = util::formatRfc3339(clock.now());
  std::int64_t id = 0;
  if (parsed.has("subscription")) {
    pqxx::connection conn(cfg.databaseUri.reveal());
    pqxx::work txn(conn);
    try {
      id = alerts::queueTestNotification(
          txn, idArgument("--subscription", *parsed.get("subscription")), clock.now());
    } catch (const alerts::AlertAdminError& e) {
      throw std::runtime_error(e.what());
    }
    txn.commit();
  } else {
    if (parsed.has("dealer") && parsed.has("customer")) {
      throw util::UsageError("give --dealer or --customer, not both");
    }
    const char* kind = parsed.has("dealer")     ? "dealer"
                       : parsed.has("customer") ? "customer"
                                                : "root";
    const auto org = admin.organisation(kind, parsed.getOr(kind, ""));
    if (!org)
      throw std::runtime_error(std::string("no ") + kind + " named '" + parsed.getOr(kind, "") +
                               "'");
    const std::string locale = parsed.getOr("locale", org->locale);
    if (!notify::supportedLocale(locale)) {
      throw util::UsageError("--locale: expected en, de, fr or it, got '" + locale + "'");
    }
    notify::TestMessage message;
    message.organisationId = org->id;
    message.locale = locale;
    if (parsed.has("to")) {
      message.to = *parsed.get("to");
    } else {
      message.channel = notify::Channel::kWebhook;
      message.url = *parsed.get("webhook");
      message.sealedSecret =
          services.secrets().seal(util::readSecretFile(*parsed.get("secret-file")).reveal());
    }
    id = admin.queueTest(message, when);
  }
  const auto entry = admin.find(id);
  if (entry && entry->channel == "email" && !services.settings().smtp.configured) {
    throw std::runtime_error(
        "no notify.smtp section in the configuration: nothing can send mail "
        "(the test mail waits in the outbox as notification " +
        std::to_string(id) + ")");
  }
  const auto tried = deliverUntilTried(services, admin, id, *wait);
  if (tried.state == "sent") {
    std::printf("notification %lld sent to %s (message id %s)\n", static_cast<long long>(id),
                tried.recipient.c_str(), tried.messageId.c_str());
    return 0;
  }
  std::fprintf(stderr, "notification %lld to %s: %s after %d attempt(s)%s%s\n",
               static_cast<long long>(id), tried.recipient.c_str(), tried.state.c_str(),
               tried.attempts, tried.lastError.empty() ? "" : ": ", tried.lastError.c_str());
  return 1;
}

int sweep(const util::ParsedArgs& parsed, const std::vector<std::string>& parts) {
  const auto cfg = loadConfig(parsed);
  const util::SystemClock clock;
  const auto settings =
      alerts::parseEngineSettings(cfg.sourceText, cfg.sourcePath.string(),
                                  std::filesystem::absolute(cfg.sourcePath).parent_path());
  alerts::PgAlertSweep sweeper(cfg.databaseUri, settings);
  const std::vector<std::string> all = {"timers", "silence", "meters", "forecast"};
  for (const auto& part : parts.empty() ? all : parts) {
    try {
      std::printf("%s: %s\n", part.c_str(), sweeper.run(part, clock.now()).c_str());
    } catch (const std::invalid_argument& e) {
      throw util::UsageError(e.what());
    }
  }
  return 0;
}

}  // namespace

int alertCommand(std::span<const std::string> args) {
  const std::array<util::OptionSpec, 23> specs = {
      configOption(),
      util::OptionSpec{"dealer", true, "NAME", "a dealer (and its customers)"},
      util::OptionSpec{"customer", true, "NAME", "a customer"},
      util::OptionSpec{"device", true, "ID", "list, rules: one device"},
      util::OptionSpec{"state", true, "STATE",
                       "list: active (default), open, pending, cleared, cancelled or all"},
      util::OptionSpec{"condition", true, "C", "list: one condition (toner, jam, ...)"},
      util::OptionSpec{"limit", true, "N", "list: at most N (default 100)"},
      util::OptionSpec{"note", true, "TEXT", "ack: why (goes to the audit log)"},
      util::OptionSpec{"set", true, "KEY=VALUE", "rules: change a setting (repeatable)"},
      util::OptionSpec{"unset", true, "KEY", "rules: back to the inherited value (repeatable)"},
      util::OptionSpec{"email", true, "ADDRESS", "subscribe: an address without a user"},
      util::OptionSpec{"user", true, "NAME", "subscribe: one user (their address and language)"},
      util::OptionSpec{"role", true, "ROLE", "subscribe: every user of the organisation's role"},
      util::OptionSpec{"webhook", true, "URL", "subscribe, test-notify: an https:// webhook"},
      util::OptionSpec{"secret-file", true, "FILE",
                       "the webhook's signing secret (subscribe: made and shown when missing)"},
      util::OptionSpec{"min-severity", true, "S", "subscribe: info, warning (default), critical"},
      util::OptionSpec{"conditions", true, "A,B", "subscribe: only these conditions"},
      util::OptionSpec{"include-clears", false, "", "subscribe: also when an alert ends"},
      util::OptionSpec{"locale", true, "LANG", "en, de, fr or it"},
      util::OptionSpec{"to", true, "ADDRESS", "test-notify: an e-mail address"},
      util::OptionSpec{"subscription", true, "ID", "test-notify: as this subscription"},
      util::OptionSpec{"wait", true, "DURATION", "test-notify: how long to try (default 60s)"},
      util::OptionSpec{"json", false, "", "print JSON"}};
  std::vector<util::OptionSpec> all(specs.begin(), specs.end());
  all.push_back(helpOption());
  const auto parsed = util::parseArgs(args, all);
  if (handleHelp(parsed, kUsage, all)) return 0;
  const auto& pos = parsed.positional();
  const std::string verb = pos.empty() ? "" : pos[0];
  if (verb == "list" && pos.size() == 1) return list(parsed);
  if (verb == "show" && pos.size() == 2) return show(parsed, pos[1]);
  if (verb == "ack" && pos.size() == 2) return ack(parsed, pos[1]);
  if (verb == "rules" && pos.size() == 1) return rules(parsed);
  if (verb == "subscribe" && pos.size() == 1) return subscribe(parsed);
  if (verb == "subscriptions" && pos.size() == 1) return subscriptions(parsed);
  if (verb == "unsubscribe" && pos.size() == 2) return unsubscribe(parsed, pos[1]);
  if (verb == "test-notify" && pos.size() == 1) return testNotify(parsed);
  if (verb == "sweep") return sweep(parsed, {pos.begin() + 1, pos.end()});
  throw util::UsageError(
      "expected alert list, show ID, ack ID, rules, subscribe, subscriptions, unsubscribe ID, "
      "test-notify or sweep");
}

}  // namespace openmps::server::cli
