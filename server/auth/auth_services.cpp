#include "server/auth/auth_services.hpp"

#include <pqxx/pqxx>

#include "server/auth/pg_auth_store.hpp"
#include "server/config/server_secrets.hpp"
#include "shared/util/log.hpp"
#include "shared/util/periodic_task.hpp"

namespace openmps::server::auth {
namespace {

constexpr std::string_view kLog = "auth";
constexpr std::chrono::minutes kHousekeepingInterval{10};
constexpr std::chrono::minutes kHousekeepingRetry{5};

AuthSettings settingsOf(const config::ServerConfig& cfg) {
  return parseAuthSettings(cfg.sourceText, cfg.sourcePath.string(),
                           std::filesystem::absolute(cfg.sourcePath).parent_path());
}

}  // namespace

struct AuthServices::Parts {
  Parts(const AuthSettings& settings, const config::ServerConfig& cfg)
      : policy(makePasswordPolicy(settings)),
        hasher(settings.hashCost, settings.maxConcurrentHashes),
        vault(config::loadMasterKey(cfg).bytes()) {}
  PasswordPolicy policy;
  PasswordHasher hasher;
  TotpVault vault;
  std::unique_ptr<util::PeriodicTask> housekeeping;
};

AuthServices::AuthServices(const config::ServerConfig& config, const util::Clock& clock)
    : config_(config),
      clock_(clock),
      settings_(settingsOf(config)),
      parts_(std::make_unique<Parts>(settings_, config)),
      authenticator_(clock, settings_.session) {
  signIn_ = std::make_unique<SignInService>(clock, parts_->hasher, parts_->policy, parts_->vault,
                                            settings_.signIn);
  if (settings_.oidc.enabled) {
    oidcHttp_ = makeCurlOidcHttp({settings_.oidc.caFile});
    oidc_ = std::make_unique<OidcSignIn>(clock, settings_.oidc, *oidcHttp_, *signIn_);
  }
}

AuthServices::~AuthServices() {
  stopHousekeeping();
}

void AuthServices::housekeepOnce() {
  const auto now = clock_.now();
  const auto longestLock =
      std::max(settings_.signIn.account.duration, settings_.signIn.address.duration);
  pqxx::connection conn(config_.databaseUri.reveal());
  pqxx::work txn(conn);
  PgAuthStore store(txn);
  const long purged =
      store.purgeExpired(now, now - longestLock, now - settings_.session.idleTimeout,
                         now - OidcSignIn::kPendingLifetime);
  const int disabled = signIn_->disableIdleUsers(store);
  txn.commit();
  if (disabled > 0) {
    util::logInfo(kLog)
        << disabled << " user(s) disabled after "
        << std::chrono::duration_cast<std::chrono::hours>(settings_.signIn.idleUserLimit).count() /
               24
        << " days without sign-in";
  }
  if (purged > 0) util::logDebug(kLog) << purged << " expired sign-in records removed";
}

void AuthServices::startHousekeeping() {
  parts_->housekeeping = std::make_unique<util::PeriodicTask>(
      std::string(kLog), [this] { housekeepOnce(); }, kHousekeepingInterval, kHousekeepingRetry);
  parts_->housekeeping->start();
}

void AuthServices::stopHousekeeping() {
  if (parts_ && parts_->housekeeping) parts_->housekeeping->stop();
}

}  // namespace openmps::server::auth
