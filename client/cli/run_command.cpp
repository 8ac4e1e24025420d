// openmps-client run --config FILE [--once]: the collector daemon. Parses
// the arguments, loads the configuration, the enrollment and the device
// definitions, turns SIGTERM/SIGINT into the daemon's stop flag and starts
// client/daemon: the collector on this thread, the sender on its own.
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pthread.h>

#include "client/cli/commands.hpp"
#include "client/config/client_config.hpp"
#include "client/config/enrollment_store.hpp"
#include "client/daemon/collector.hpp"
#include "client/daemon/daemon.hpp"
#include "client/daemon/send_loop.hpp"
#include "client/daemon/stop_flag.hpp"
#include "client/local_ui/local_ui_service.hpp"
#include "client/outbox/sent_log.hpp"
#include "client/pmd/pmd_dir.hpp"
#include "shared/pmd/catalog.hpp"
#include "shared/util/args.hpp"
#include "shared/util/clock.hpp"
#include "shared/util/log.hpp"

namespace openmps::client::cli {
namespace {

constexpr std::string_view kLog = "run";
constexpr int kExitNotEmptied = 1;
constexpr int kExitSetup = 3;

std::vector<util::OptionSpec> runOptions() {
  return {
      {"config", true, "FILE", "the client's configuration"},
      {"once", false, "",
       "one discovery, one read of every device, send until the outbox is empty, exit"},
      {"help", false, "", "show this help"},
  };
}

// SIGTERM/SIGINT end the daemon: a dedicated thread waits for them, so no
// code runs in a signal handler and every other thread keeps them blocked
// (the mask is set before any other thread starts).
void stopOnSignals(daemon::StopFlag& stop) {
  sigset_t set{};
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, &stop] {
    int sig = 0;
    if (sigwait(&set, &sig) == 0) {
      util::logInfo(kLog) << "signal " << sig << ": shutting down";
      stop.stop();
    }
  }).detach();
}

std::optional<openmps::pmd::Catalog> loadCatalog(const config::ClientConfig& cfg) {
  const std::filesystem::path dir = cfg.pmdDir.empty() ? pmd::defaultPmdDir() : cfg.pmdDir;
  try {
    return openmps::pmd::Catalog::loadDirectory(dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "openmps-client run: device definitions in %s: %s\n", dir.c_str(),
                 e.what());
    return std::nullopt;
  }
}

int runOnce(const std::shared_ptr<const config::ClientConfig>& cfg,
            const envelope::Enrollment& enrollment, const openmps::pmd::Catalog& catalog,
            const util::Clock& clock, daemon::StopFlag& stop) {
  {
    daemon::Collector collector(cfg, enrollment, catalog, clock, stop);
    if (!collector.collectOnce()) {
      return kExitNotEmptied;
    }
  }
  return daemon::sendUntilEmpty(*cfg, enrollment, clock, stop) ? 0 : kExitNotEmptied;
}

local_ui::LocalUiSettings localUiSettings(const config::ClientConfig& cfg) {
  const auto& ui = cfg.localUi;
  return {.listen = ui.listen,
          .port = ui.port,
          .allowRemote = ui.allowRemote,
          .tlsCert = ui.tlsCert.string(),
          .tlsKey = ui.tlsKey.string(),
          .passwordFile = cfg.localUiPasswordPath()};
}

int runDaemon(const std::filesystem::path& configPath,
              std::shared_ptr<const config::ClientConfig> cfg,
              std::optional<envelope::Enrollment> enrollment, const openmps::pmd::Catalog& catalog,
              const util::Clock& clock, daemon::StopFlag& stop) {
  const bool withUi = cfg->localUi.enabled;
  const auto uiSettings = localUiSettings(*cfg);
  outbox::SqliteSentEnvelopeLog envelopes(cfg->databasePath());
  local_ui::FileClientSetup setup(configPath, cfg);
  daemon::Daemon running(std::move(cfg), std::move(enrollment), catalog, clock, stop);
  std::unique_ptr<local_ui::LocalUiService> ui;
  if (withUi) {
    try {
      ui = std::make_unique<local_ui::LocalUiService>(uiSettings, running, clock, &envelopes,
                                                      &setup);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "openmps-client run: local UI: %s\n", e.what());
      return kExitSetup;
    }
  }
  running.run();
  ui.reset();  // no request may reach the daemon once it has stopped
  util::logInfo(kLog) << "stopped; readings not yet sent wait in the outbox for the next start";
  return 0;
}

}  // namespace

int runCommand(std::span<const std::string> args) {
  const auto specs = runOptions();
  const auto parsed = util::parseArgs(args, specs);
  if (parsed.has("help")) {
    std::printf(
        "Usage: openmps-client run --config FILE [--once]\n\n"
        "Runs the collector: discovery sweeps, meter reads and status polls on their\n"
        "intervals, every reading committed to the outbox before it is sent. Logs go to\n"
        "stderr. SIGTERM or SIGINT stop it cleanly.\n"
        "With --once: one discovery, one read of every device, then send until the\n"
        "outbox is empty and exit; exit status 1 when it could not be emptied.\n\n"
        "Options:\n%s",
        util::formatOptions(specs).c_str());
    return 0;
  }
  const auto configPath = parsed.get("config");
  if (!configPath) {
    throw util::UsageError("--config FILE is required");
  }
  if (!parsed.positional().empty()) {
    throw util::UsageError("unexpected argument '" + parsed.positional().front() + "'");
  }
  daemon::StopFlag stop;
  stopOnSignals(stop);
  // A local UI browser or a carrier's peer that hangs up while we write must
  // cost one connection, not the daemon: OpenSSL writes with write(2), which
  // raises SIGPIPE; ignored, the write fails with EPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  auto cfg = std::make_shared<const config::ClientConfig>(config::loadConfig(*configPath));
  util::setLogLevel(cfg->logLevel);
  auto enrollment = config::loadEnrollment(*cfg);
  // The daemon runs unenrolled when its local UI can enroll it.
  const bool enrollLater = !parsed.has("once") && cfg->localUi.enabled;
  if (!enrollment && !enrollLater) {
    std::fprintf(stderr,
                 "openmps-client run: not enrolled: run 'openmps-client enroll STRING --config %s' "
                 "with the string 'openmps-server collector add' printed\n",
                 configPath->c_str());
    return kExitSetup;
  }
  if (!enrollment) config::createDataDir(*cfg);  // enroll has not made it
  const auto catalog = loadCatalog(*cfg);
  if (!catalog) {
    return kExitSetup;
  }
  const util::SystemClock clock;
  return parsed.has("once")
             ? runOnce(cfg, *enrollment, *catalog, clock, stop)
             : runDaemon(*configPath, cfg, std::move(enrollment), *catalog, clock, stop);
}

}  // namespace openmps::client::cli
