// openmps-server notify list [--state queued|sent|dead] [--limit N] [--json]:
// the notification outbox, newest first. notify retry ID: a dead
// notification queued again.
#include <array>
#include <cstdio>

#include "server/cli/cli_support.hpp"
#include "server/cli/commands.hpp"
#include "server/notify/pg_notify_admin.hpp"

namespace openmps::server::cli {
namespace {

constexpr const char* kUsage =
    "openmps-server notify list [--state queued|sent|dead] [--limit N] [--json] --config FILE\n"
    "       openmps-server notify retry ID --config FILE";

int list(const util::ParsedArgs& parsed) {
  const std::string state = parsed.getOr("state", "");
  if (!state.empty() && state != "queued" && state != "sent" && state != "dead") {
    throw util::UsageError("--state: expected queued, sent or dead, got '" + state + "'");
  }
  const auto limit = parsed.intOr("limit", 50, 1, 10'000);
  const auto cfg = loadConfig(parsed);
  notify::PgNotifyAdmin admin(cfg.databaseUri);
  const auto rows = admin.list(state, static_cast<int>(limit));
  const std::string out =
      parsed.has("json") ? notify::outboxToJson(rows) : notify::outboxToText(rows);
  std::fputs(out.c_str(), stdout);
  return 0;
}

int retry(const util::ParsedArgs& parsed, const std::string& idText) {
  const auto id = util::parseInt(idText);
  if (!id || *id <= 0) {
    throw util::UsageError("notify retry: '" + idText + "' is not a notification id");
  }
  const auto cfg = loadConfig(parsed);
  notify::PgNotifyAdmin admin(cfg.databaseUri);
  if (!admin.retry(*id)) {
    throw std::runtime_error("notification " + idText + " is not dead (see: notify list)");
  }
  std::printf("notification %s queued again\n", idText.c_str());
  return 0;
}

}  // namespace

int notifyCommand(std::span<const std::string> args) {
  const std::array<util::OptionSpec, 5> specs = {
      configOption(),
      util::OptionSpec{"state", true, "STATE", "list: only queued, sent or dead ones"},
      util::OptionSpec{"limit", true, "N", "list: at most N (default 50)"},
      util::OptionSpec{"json", false, "", "list: print JSON"}, helpOption()};
  const auto parsed = util::parseArgs(args, specs);
  if (handleHelp(parsed, kUsage, specs)) return 0;
  const auto& pos = parsed.positional();
  if (pos.size() == 1 && pos[0] == "list") return list(parsed);
  if (pos.size() == 2 && pos[0] == "retry") return retry(parsed, pos[1]);
  throw util::UsageError("expected 'notify list' or 'notify retry ID'");
}

}  // namespace openmps::server::cli
