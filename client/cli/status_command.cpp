// openmps-client status --config FILE: what the daemon's database says:
// outbox depth, last sweep, last successful send, number of devices.
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/cli/commands.hpp"
#include "client/config/client_config.hpp"
#include "client/config/enrollment_store.hpp"
#include "client/outbox/sqlite_outbox.hpp"
#include "shared/util/args.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::client::cli {
namespace {

std::vector<util::OptionSpec> statusOptions() {
  return {
      {"config", true, "FILE", "the client's configuration"},
      {"json", false, "", "print a JSON object"},
      {"help", false, "", "show this help"},
  };
}

std::string timeOr(const std::optional<outbox::WallTime>& t, const char* never) {
  return t ? util::formatRfc3339(*t) : std::string(never);
}

}  // namespace

int statusCommand(std::span<const std::string> args) {
  const auto specs = statusOptions();
  const auto parsed = util::parseArgs(args, specs);
  if (parsed.has("help")) {
    std::printf(
        "Usage: openmps-client status --config FILE [--json]\n\n"
        "Prints the outbox depth, the last sweep, the last successful send and the\n"
        "number of devices, from the client's database (safe while the daemon runs).\n"
        "Exit status 0; 1 when the client is not enrolled or has never run.\n\n"
        "Options:\n%s",
        util::formatOptions(specs).c_str());
    return 0;
  }
  const auto configPath = parsed.get("config");
  if (!configPath) {
    throw util::UsageError("--config FILE is required");
  }
  const config::ClientConfig cfg = config::loadConfig(*configPath);
  const auto enrollment = config::loadEnrollment(cfg);
  if (!std::filesystem::exists(cfg.databasePath())) {
    std::fprintf(stderr, "openmps-client status: %s does not exist: the client has not run yet%s\n",
                 cfg.databasePath().c_str(), enrollment ? "" : " (and is not enrolled)");
    return 1;
  }
  outbox::Database db(cfg.databasePath());
  outbox::SqliteOutbox box(db, cfg.outbox.maxItems);
  outbox::SqliteDeviceStore store(db);
  const outbox::OutboxStats s = box.stats();
  const auto devices = store.loadDevices();
  std::size_t reachable = 0;
  for (const auto& d : devices) {
    reachable += d.address.empty() ? 0U : 1U;
  }
  const auto lastSweep = store.lastSweep();

  if (parsed.has("json")) {
    nlohmann::json j;
    j["enrolled"] = enrollment.has_value();
    j["client_id"] = enrollment ? enrollment->clientId : 0;
    j["devices"] = devices.size();
    nlohmann::json list = nlohmann::json::array();
    for (const auto& d : devices) {
      list.push_back(
          {{"id", d.id},
           {"address", d.address},
           {"port", d.port},
           {"serial", d.serial},
           {"mac", d.mac},
           {"credential", d.credential},
           {"last_meter_at", d.lastMeterAt ? nlohmann::json(util::formatRfc3339(*d.lastMeterAt))
                                           : nlohmann::json()}});
    }
    j["device_list"] = std::move(list);
    j["last_sweep"] =
        lastSweep ? nlohmann::json(util::formatRfc3339(*lastSweep)) : nlohmann::json();
    j["outbox"] = {{"queued_items", s.queuedItems},
                   {"batched_items", s.batchedItems},
                   {"pending_batches", s.pendingBatches},
                   {"rejected_batches", s.rejectedBatches},
                   {"rejected_items", s.rejectedItems},
                   {"stored_items", s.storedItems},
                   {"max_items", s.maxItems},
                   {"committed_items", s.lastItemSeq},
                   {"confirmed_items", s.confirmedItems},
                   {"confirmed_batches", s.confirmedBatches},
                   {"last_batch_seq", s.lastBatchSeq}};
    j["last_send"] =
        s.lastConfirmAt ? nlohmann::json(util::formatRfc3339(*s.lastConfirmAt)) : nlohmann::json();
    j["last_send_error"] = s.lastSendError;
    std::printf("%s\n", j.dump(2).c_str());
    return enrollment ? 0 : 1;
  }
  if (enrollment) {
    std::printf("client       %llu\n", static_cast<unsigned long long>(enrollment->clientId));
  } else {
    std::printf("client       not enrolled (openmps-client enroll STRING --config FILE)\n");
  }
  std::printf("devices      %zu (%zu at a known address)\n", devices.size(), reachable);
  std::printf("last sweep   %s\n", timeOr(lastSweep, "never").c_str());
  std::printf(
      "outbox       %llu readings: %llu queued, %llu in %llu sealed batch(es) waiting, "
      "%llu in %llu rejected batch(es); at most %zu\n",
      static_cast<unsigned long long>(s.storedItems),
      static_cast<unsigned long long>(s.queuedItems),
      static_cast<unsigned long long>(s.batchedItems),
      static_cast<unsigned long long>(s.pendingBatches),
      static_cast<unsigned long long>(s.rejectedItems),
      static_cast<unsigned long long>(s.rejectedBatches), s.maxItems);
  std::printf("sent         %llu readings in %llu batches\n",
              static_cast<unsigned long long>(s.confirmedItems),
              static_cast<unsigned long long>(s.confirmedBatches));
  std::printf("last send    %s\n", timeOr(s.lastConfirmAt, "never").c_str());
  if (!s.lastSendError.empty()) {
    std::printf("last error   %s (%s)\n", s.lastSendError.c_str(),
                timeOr(s.lastSendErrorAt, "?").c_str());
  }
  for (const auto& b : box.rejectedBatches()) {
    std::printf("rejected     batch %llu (%zu readings): %s\n",
                static_cast<unsigned long long>(b.batchSeq), b.items, b.lastError.c_str());
  }
  return enrollment ? 0 : 1;
}

}  // namespace openmps::client::cli
