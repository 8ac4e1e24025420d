// openmps-server run: the daemon. Receivers (XML-RPC, HTTPS POST /RPC2)
// feed one Ingestor; SIGTERM or SIGINT stops accepting, finishes running
// requests and queued batches, then exits 0. Logs go to stderr.
#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include <pthread.h>

#include "server/alerts/alert_service.hpp"
#include "server/api/api_service.hpp"
#include "server/auth/auth_services.hpp"
#include "server/cli/cli_support.hpp"
#include "server/cli/commands.hpp"
#include "server/config/server_secrets.hpp"
#include "server/ingest/ingestor.hpp"
#include "server/mailbox/mailbox_service.hpp"
#include "server/metrics/ops_http_handler.hpp"
#include "server/metrics/pg_readiness.hpp"
#include "server/metrics/server_metrics.hpp"
#include "server/notify/notify_services.hpp"
#include "server/receiver/poco_http_listener.hpp"
#include "server/receiver/rate_limiter.hpp"
#include "server/receiver/rpc_dispatcher.hpp"
#include "server/receiver/rpc_http_handler.hpp"
#include "server/reports/notify_run_delivery.hpp"
#include "server/reports/report_scheduler.hpp"
#include "server/reports/yaml_report_settings.hpp"
#include "server/store/pg_batch_gaps.hpp"
#include "server/store/pg_ingest_store.hpp"
#include "server/store/pg_partitions.hpp"
#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/fault_codes.hpp"
#include "shared/util/clock.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::cli {
namespace {

constexpr std::string_view kLog = "server";

receiver::ListenerOptions listenerOptions(const config::ServerConfig& cfg, std::string name,
                                          const config::ListenAddress& address, bool tls) {
  const auto& l = cfg.limits;
  receiver::ListenerOptions o;
  o.name = std::move(name);
  o.host = address.host;
  o.port = address.port;
  o.tls = tls;
  o.certificate = cfg.tls.certificate;
  o.key = cfg.tls.key;
  o.limits.maxRequestBytes = l.maxRequestBytes;
  o.limits.maxConnections = l.maxConnections;
  o.limits.maxConnectionsPerPeer = l.maxConnectionsPerPeer;
  o.limits.maxPending = l.maxPendingConnections;
  o.limits.maxPendingPerPeer = l.maxPendingPerPeer;
  o.limits.handshakeTimeout = l.handshakeTimeout;
  o.limits.requestTimeout = l.requestTimeout;
  o.limits.idleTimeout = l.idleTimeout;
  o.limits.peerRatePerMinute = l.peerRatePerMinute;
  o.limits.peerRateBurst = l.peerRateBurst;
  return o;
}

// The mailbox's gap reports read what PostgreSQL stored, by every carrier.
class PgBatchHistory final : public mailbox::BatchHistory {
 public:
  explicit PgBatchHistory(const util::Secret& databaseUri) : gaps_(databaseUri) {}
  mailbox::BatchGaps gaps(std::uint64_t clientId) override {
    const store::StoredBatchGaps stored = gaps_.query(clientId);
    mailbox::BatchGaps out;
    out.highest = stored.highest;
    for (const auto& [first, last] : stored.missing) out.missing.push_back({first, last});
    return out;
  }

 private:
  store::PgBatchGaps gaps_;
};

}  // namespace

int runCommand(std::span<const std::string> args) {
  const std::array<util::OptionSpec, 2> specs = {configOption(), helpOption()};
  const auto parsed = util::parseArgs(args, specs);
  if (handleHelp(parsed, "openmps-server run --config FILE", specs)) {
    return 0;
  }
  if (!parsed.positional().empty()) {
    throw util::UsageError("unexpected argument '" + parsed.positional().front() + "'");
  }
  const auto cfg = loadConfig(parsed);

  // Signals are taken by sigwait below; every thread started from here on
  // inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A peer that hangs up while we write (a browser, a mail server, a
  // collector) must cost one connection, not the process: OpenSSL writes with
  // write(2), which raises SIGPIPE; ignored, the write fails with EPIPE.
  std::signal(SIGPIPE, SIG_IGN);

  std::optional<mailbox::MailboxSettings> mailboxSettings;
  if (cfg.mailbox.present) {
    mailboxSettings =
        mailbox::parseMailboxSettings(cfg.sourceText, cfg.sourcePath.string(),
                                      std::filesystem::absolute(cfg.sourcePath).parent_path());
  }
  const auto masterKey = config::loadMasterKey(cfg);
  const util::SystemClock clock;
  // Users, sessions and sign-in: built before anything listens, so a bad
  // auth: section stops the start with its error.
  auth::AuthServices authServices(cfg, clock);
  // The outbox's delivery workers. Features whose mails carry attachments
  // stored as references register a loader per source name here.
  notify::AttachmentLoaders attachmentLoaders;
  attachmentLoaders.emplace(reports::kRunAttachmentSource, reports::loadRunFile);
  notify::NotifyServices notifyServices(cfg, clock, std::move(attachmentLoaders));
  // The alert engine: its workers and sweep, and what ingest's planner watches.
  alerts::AlertService alertService(cfg, clock);
  const auto reportSettings =
      reports::parseReportSettings(cfg.sourceText, cfg.sourcePath.string(),
                                   std::filesystem::absolute(cfg.sourcePath).parent_path());
  if (cfg.needsTls() &&
      (!std::filesystem::exists(cfg.tls.certificate) || !std::filesystem::exists(cfg.tls.key))) {
    throw std::runtime_error("TLS certificate " + cfg.tls.certificate.string() + " or key " +
                             cfg.tls.key.string() +
                             " missing (run 'openmps-server migrate --config FILE' once to "
                             "create a self-signed pair, or configure yours)");
  }
  // Charged only after the seal was verified (the client id travels in
  // clear): a stranger can neither slow down nor lock out a collector.
  // The listeners limit each source address before that.
  receiver::RateLimiter clientRate(clock, cfg.limits.ratePerMinute, cfg.limits.rateBurst);
  ingest::IngestOptions ingestOptions;
  ingestOptions.workers = cfg.ingest.workers;
  ingestOptions.queueLength = static_cast<std::size_t>(cfg.ingest.queueLength);
  ingestOptions.admit = [&clientRate](std::uint64_t clientId, std::string_view carrier) {
    // Mail arrives at the pace the poller reads it; only network carriers
    // can be hammered.
    return carrier == ingest::kCarrierMail || clientRate.allow(std::to_string(clientId));
  };
  const util::Secret databaseUri = cfg.databaseUri;
  // Fail at start, not at the first batch, when the database is unreachable.
  { store::PgIngestStore probe(databaseUri); }
  ingest::Ingestor ingestor(
      masterKey,
      [databaseUri, &alertService] {
        return std::make_unique<store::PgIngestStore>(
            databaseUri, [&alertService] { return alertService.plannerOptions().current(); });
      },
      ingestOptions);

  metrics::ServerMetrics serverMetrics;
  serverMetrics.addPoolGauge("ingest", [&ingestor] {
    const auto load = ingestor.load();
    return std::pair{load.busy, load.workers};
  });
  // Every carrier's batches go through here, counted.
  const auto ingestCounted = [&](std::string_view sealed, std::string_view carrier,
                                 std::string_view peer) {
    const auto started = clock.monotonic();
    auto result = ingestor.ingest(sealed, carrier, peer);
    serverMetrics.ingested(carrier, result, clock.monotonic() - started);
    return result;
  };
  const receiver::RpcDispatcher dispatcher(ingestCounted);
  receiver::RpcHttpHandler xmlrpcHandler(dispatcher, std::string(ingest::kCarrierXmlRpc), false);
  receiver::RpcHttpHandler webHandler(dispatcher, std::string(ingest::kCarrierHttps), true);
  std::vector<std::unique_ptr<receiver::PocoHttpListener>> servers;
  if (cfg.xmlrpc.enabled) {
    servers.push_back(std::make_unique<receiver::PocoHttpListener>(
        listenerOptions(cfg, std::string(ingest::kCarrierXmlRpc), cfg.xmlrpc.listen,
                        cfg.xmlrpc.tls),
        xmlrpcHandler, clock));
  }
  if (cfg.web.enabled) {
    servers.push_back(std::make_unique<receiver::PocoHttpListener>(
        listenerOptions(cfg, std::string(ingest::kCarrierHttps), cfg.web.listen, true), webHandler,
        clock));
  }
  for (auto& s : servers) {
    s->start();
  }
  std::unique_ptr<api::ApiService> portal;
  if (cfg.portal.enabled) {
    auto options = listenerOptions(cfg, "portal", cfg.portal.listen, true);
    options.limits.maxRequestBytes = cfg.portal.maxBodyBytes;
    // People's browsers, not collectors: each opens up to six connections
    // per host and keeps them alive, loads a page as a burst of requests,
    // and an office shares one address behind its NAT.
    auto& l = options.limits;
    l.maxPendingPerPeer = std::max(l.maxPendingPerPeer, 32);
    l.maxConnectionsPerPeer = std::max(l.maxConnectionsPerPeer, 64);
    // A connection closed after its answer costs the next request a TLS
    // handshake: with 16 kept alive, 50 busy sessions had a quarter of
    // their answers close the connection.
    l.maxIdle = std::max(l.maxIdle, 32);
    l.peerRatePerMinute = l.peerRatePerMinute == 0 ? 0 : std::max(l.peerRatePerMinute, 3000);
    l.peerRateBurst = std::max(l.peerRateBurst, 300);
    portal = std::make_unique<api::ApiService>(cfg, std::move(options), authServices, clock,
                                               serverMetrics);
    portal->start();
  }
  PgBatchHistory batchHistory(databaseUri);
  std::unique_ptr<mailbox::MailboxService> mailboxService;
  if (mailboxSettings) {
    mailboxService = std::make_unique<mailbox::MailboxService>(
        *mailboxSettings,
        [&ingestCounted](std::string_view sealed) {
          return ingestCounted(sealed, ingest::kCarrierMail, "mailbox");
        },
        batchHistory);
    mailboxService->start();
  }
  // A server that runs for years without `migrate` still gets each new
  // year's partitions before readings for it arrive.
  store::PartitionKeeper partitions(
      clock, [databaseUri](int year) { store::ensurePartitions(databaseUri, year); });
  partitions.start();
  authServices.startHousekeeping();
  notifyServices.start();
  alertService.start();
  // Scheduled and requested reports: made here, kept for download, mailed
  // through the outbox.
  reports::NotifyRunDelivery reportDelivery;
  reports::ReportScheduler reportScheduler(databaseUri, clock, reportSettings, &reportDelivery);
  reportScheduler.start();
  // Last up, first to say "not ready" and last down: /readyz tells a load
  // balancer when to stop sending, /metrics stays readable to the end.
  std::atomic<bool> stopping = false;
  metrics::PgReadiness database(databaseUri);
  metrics::OpsHttpHandler opsHandler(serverMetrics, [&]() -> std::string {
    if (stopping) return "shutting down";
    return database.check();
  });
  std::unique_ptr<receiver::PocoHttpListener> ops;
  if (cfg.metrics.enabled) {
    ops = std::make_unique<receiver::PocoHttpListener>(
        listenerOptions(cfg, "metrics", cfg.metrics.listen, false), opsHandler, clock);
    ops->start();
  }
  util::logInfo(kLog) << "openmps-server running (" << cfg.ingest.workers
                      << " ingest workers); SIGTERM stops it";
  int received = 0;
  sigwait(&signals, &received);
  util::logInfo(kLog) << "signal " << received << ": shutting down";
  stopping = true;
  for (auto& s : servers) {
    s->stopAccepting();
  }
  if (portal) portal->stopAccepting();
  for (auto& s : servers) {
    s->stop();
  }
  if (portal) portal->stop();
  if (mailboxService) {
    mailboxService->stop();
  }
  reportScheduler.stop();
  partitions.stop();
  authServices.stopHousekeeping();
  ingestor.stop();
  alertService.stop();
  notifyServices.stop();
  if (ops) ops->stop();
  util::logInfo(kLog) << "stopped cleanly";
  return 0;
}

}  // namespace openmps::server::cli
