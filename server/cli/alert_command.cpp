// openmps-server alert test-notify: a test message through the outbox,
// delivered at once by this process (as any server's delivery worker
// would), and its outcome.
#include <array>
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "server/cli/cli_support.hpp"
#include "server/cli/commands.hpp"
#include "server/notify/notify_services.hpp"
#include "server/notify/pg_notify_admin.hpp"
#include "server/notify/templates.hpp"
#include "shared/util/duration.hpp"
#include "shared/util/files.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::cli {
namespace {

constexpr const char* kUsage =
    "openmps-server alert test-notify (--to ADDRESS | --webhook URL --secret-file FILE)\n"
    "       [--dealer NAME | --customer NAME] [--locale en|de|fr|it] [--wait DURATION] "
    "--config FILE";

notify::NotifyOrganisation organisationFrom(notify::PgNotifyAdmin& admin,
                                            const util::ParsedArgs& parsed) {
  if (parsed.has("dealer") && parsed.has("customer")) {
    throw util::UsageError("give --dealer or --customer, not both");
  }
  const char* kind = parsed.has("dealer") ? "dealer" : parsed.has("customer") ? "customer" : "root";
  const std::string name = parsed.getOr(kind, "");
  const auto org = admin.organisation(kind, name);
  if (!org) throw std::runtime_error(std::string("no ") + kind + " named '" + name + "'");
  return *org;
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
  if (parsed.has("to") == parsed.has("webhook")) {
    throw util::UsageError("give --to ADDRESS or --webhook URL");
  }
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
  const auto org = organisationFrom(admin, parsed);
  const std::string locale = parsed.getOr("locale", org.locale);
  if (!notify::supportedLocale(locale)) {
    throw util::UsageError("--locale: expected en, de, fr or it, got '" + locale + "'");
  }
  const auto text = notify::testMail(locale, org.name, util::formatRfc3339(clock.now()));
  std::int64_t id = 0;
  if (parsed.has("to")) {
    if (!services.settings().smtp.configured) {
      throw std::runtime_error(
          "no notify.smtp section in the configuration: nothing can send mail");
    }
    notify::OutgoingMail mail;
    mail.organisationId = org.id;
    mail.kind = "test";
    mail.to = *parsed.get("to");
    mail.locale = locale;
    mail.subject = text.subject;
    mail.text = text.body;
    id = admin.queueMail(mail);
  } else {
    notify::OutgoingWebhook hook;
    hook.organisationId = org.id;
    hook.kind = "test";
    hook.url = *parsed.get("webhook");
    hook.body =
        nlohmann::json{{"event", "test"}, {"organisation", org.name}, {"text", text.body}}.dump(
            -1, ' ', false, nlohmann::json::error_handler_t::replace);
    hook.sealedSecret =
        services.secrets().seal(util::readSecretFile(*parsed.get("secret-file")).reveal());
    id = admin.queueWebhook(hook);
  }
  const auto entry = deliverUntilTried(services, admin, id, *wait);
  if (entry.state == "sent") {
    std::printf("notification %lld sent to %s (message id %s)\n", static_cast<long long>(id),
                entry.recipient.c_str(), entry.messageId.c_str());
    return 0;
  }
  std::fprintf(stderr, "notification %lld to %s: %s after %d attempt(s)%s%s\n",
               static_cast<long long>(id), entry.recipient.c_str(), entry.state.c_str(),
               entry.attempts, entry.lastError.empty() ? "" : ": ", entry.lastError.c_str());
  return 1;
}

}  // namespace

int alertCommand(std::span<const std::string> args) {
  const std::array<util::OptionSpec, 10> specs = {
      configOption(),
      util::OptionSpec{"to", true, "ADDRESS", "test-notify: an e-mail address"},
      util::OptionSpec{"webhook", true, "URL", "test-notify: an https:// webhook"},
      util::OptionSpec{"secret-file", true, "FILE", "test-notify: the webhook's signing secret"},
      util::OptionSpec{"dealer", true, "NAME", "the dealer it is for"},
      util::OptionSpec{"customer", true, "NAME", "the customer it is for"},
      util::OptionSpec{"locale", true, "LANG", "test-notify: en, de, fr or it"},
      util::OptionSpec{"wait", true, "DURATION", "test-notify: how long to try (default 60s)"},
      util::OptionSpec{"json", false, "", "print JSON"},
      helpOption()};
  const auto parsed = util::parseArgs(args, specs);
  if (handleHelp(parsed, kUsage, specs)) return 0;
  const auto& pos = parsed.positional();
  if (pos.size() == 1 && pos[0] == "test-notify") return testNotify(parsed);
  throw util::UsageError("expected 'alert test-notify'");
}

}  // namespace openmps::server::cli
