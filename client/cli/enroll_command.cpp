// openmps-client enroll STRING --config FILE: stores the enrollment string
// that `openmps-server collector add` printed (servers, client id, key,
// certificate fingerprint) in the data directory.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "client/cli/commands.hpp"
#include "client/config/client_config.hpp"
#include "client/config/enrollment_store.hpp"
#include "client/outbox/sqlite_outbox.hpp"
#include "shared/envelope/enrollment.hpp"
#include "shared/util/args.hpp"

namespace openmps::client::cli {
namespace {

std::vector<util::OptionSpec> enrollOptions() {
  return {
      {"config", true, "FILE", "the client's configuration (its data_dir receives the enrollment)"},
      {"help", false, "", "show this help"},
  };
}

}  // namespace

int enrollCommand(std::span<const std::string> args) {
  const auto specs = enrollOptions();
  const auto parsed = util::parseArgs(args, specs);
  if (parsed.has("help")) {
    std::printf(
        "Usage: openmps-client enroll STRING|- --config FILE\n\n"
        "Stores the enrollment string printed by 'openmps-server collector add' (give '-'\n"
        "to read it from standard input, so it does not show in the process list). The\n"
        "key goes to DATA_DIR/client.key (mode 0600), the rest to DATA_DIR/enrollment.json.\n\n"
        "Options:\n%s",
        util::formatOptions(specs).c_str());
    return 0;
  }
  if (parsed.positional().size() != 1) {
    throw util::UsageError("give exactly one enrollment string (or - to read it from stdin)");
  }
  const auto configPath = parsed.get("config");
  if (!configPath) {
    throw util::UsageError("--config FILE is required");
  }
  std::string text = parsed.positional().front();
  if (text == "-") {
    std::getline(std::cin, text);
  }
  const config::ClientConfig cfg = config::loadConfig(*configPath);
  envelope::Enrollment enrollment;
  try {
    enrollment = envelope::decodeEnrollment(text);
  } catch (const envelope::EnrollmentError& e) {
    std::fprintf(stderr, "openmps-client enroll: the enrollment string is not usable: %s\n",
                 e.what());
    return 1;
  }
  if (const auto previous = config::loadEnrollment(cfg);
      previous && previous->clientId != enrollment.clientId &&
      std::filesystem::exists(cfg.databasePath())) {
    // Sealed batches belong to the client id they were sealed for; the
    // outbox refuses to switch while some still wait (see run).
    outbox::Database db(cfg.databasePath());
    outbox::SqliteOutbox box(db, cfg.outbox.maxItems);
    if (box.stats().pendingBatches > 0) {
      std::fprintf(stderr,
                   "openmps-client enroll: batches sealed for client %llu still wait to be sent; "
                   "run the client until 'status' shows none waiting, then enroll again\n",
                   static_cast<unsigned long long>(previous->clientId));
      return 1;
    }
  }
  config::storeEnrollment(cfg, enrollment);
  std::printf("enrolled as client %llu\n", static_cast<unsigned long long>(enrollment.clientId));
  for (const auto& server : enrollment.servers) {
    std::printf("  server       %s\n", server.c_str());
  }
  std::printf("  certificate  SHA-256 %s\n",
              envelope::formatFingerprint(enrollment.certFingerprint).c_str());
  std::printf("  stored in    %s\n", cfg.dataDir.c_str());
  return 0;
}

}  // namespace openmps::client::cli
