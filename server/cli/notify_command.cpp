// openmps-server notify list [--state queued|sent|dead] [--kind KIND] [--limit N] [--json]:
// the notification outbox, newest first. notify retry ID: a dead
// notification queued again (audited). The API's listNotifications and
// retryNotification run the same functions in the caller's scope.
#include <array>
#include <cstdio>

#include <pqxx/pqxx>

#include "server/cli/cli_support.hpp"
#include "server/cli/commands.hpp"
#include "server/notify/pg_notify_admin.hpp"

namespace openmps::server::cli {
namespace {

// Runs `body` in one transaction as the owner; commits when it returns.
template <typename F>
int inTransaction(const util::ParsedArgs& parsed, F body) {
  const auto cfg = loadConfig(parsed);
  pqxx::connection conn(cfg.databaseUri.reveal());
  pqxx::work txn(conn);
  const int rc = body(txn);
  txn.commit();
  return rc;
}

constexpr const char* kUsage =
    "openmps-server notify list [--state queued|sent|dead] [--kind KIND] [--limit N] [--json] "
    "--config FILE\n"
    "       openmps-server notify retry ID --config FILE";

int list(const util::ParsedArgs& parsed) {
  notify::OutboxFilter filter;
  filter.state = parsed.getOr("state", "");
  if (!filter.state.empty() && !notify::isOutboxState(filter.state)) {
    throw util::UsageError("--state: expected queued, sent or dead, got '" + filter.state + "'");
  }
  filter.kind = parsed.getOr("kind", "");
  filter.limit = static_cast<int>(parsed.intOr("limit", 50, 1, 10'000));
  return inTransaction(parsed, [&](pqxx::work& txn) {
    const auto rows = notify::listOutbox(txn, filter);
    const std::string out =
        parsed.has("json") ? notify::outboxToJson(rows) : notify::outboxToText(rows);
    std::fputs(out.c_str(), stdout);
    return 0;
  });
}

int retry(const util::ParsedArgs& parsed, const std::string& idText) {
  const auto id = util::parseInt(idText);
  if (!id || *id <= 0) {
    throw util::UsageError("notify retry: '" + idText + "' is not a notification id");
  }
  return inTransaction(parsed, [&](pqxx::work& txn) {
    switch (notify::retryDead(txn, *id, auth::AuditActor::commandLine())) {
      case notify::RetryOutcome::kNotFound:
        throw std::runtime_error("no notification " + idText + " (see: notify list)");
      case notify::RetryOutcome::kNotDead:
        throw std::runtime_error("notification " + idText + " is not dead (see: notify list)");
      case notify::RetryOutcome::kQueued: break;
    }
    std::printf("notification %s queued again\n", idText.c_str());
    return 0;
  });
}

}  // namespace

int notifyCommand(std::span<const std::string> args) {
  const std::array<util::OptionSpec, 6> specs = {
      configOption(),
      util::OptionSpec{"state", true, "STATE", "list: only queued, sent or dead ones"},
      util::OptionSpec{"kind", true, "KIND", "list: only this kind (alert.raised, report, ...)"},
      util::OptionSpec{"limit", true, "N", "list: at most N (default 50)"},
      util::OptionSpec{"json", false, "", "list: print JSON"},
      helpOption()};
  const auto parsed = util::parseArgs(args, specs);
  if (handleHelp(parsed, kUsage, specs)) return 0;
  const auto& pos = parsed.positional();
  if (pos.size() == 1 && pos[0] == "list") return list(parsed);
  if (pos.size() == 2 && pos[0] == "retry") return retry(parsed, pos[1]);
  throw util::UsageError("expected 'notify list' or 'notify retry ID'");
}

}  // namespace openmps::server::cli
