// openmps-client enroll STRING --config FILE: stores the enrollment string
// that `openmps-server collector add` printed (servers, client id, key,
// certificate fingerprint) in the data directory.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "client/cli/commands.hpp"
#include "client/config/client_config.hpp"
#include "client/config/enroll.hpp"
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
  const config::EnrollResult result = config::enroll(cfg, text);
  if (!result.enrollment) {
    std::fprintf(stderr, "openmps-client enroll: %s\n", result.error.c_str());
    return 1;
  }
  const envelope::Enrollment& enrollment = *result.enrollment;
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
