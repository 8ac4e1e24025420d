#include "client/local_ui/local_ui_service.hpp"

#include <filesystem>
#include <stdexcept>
#include <utility>

#include "client/local_ui/built_files.hpp"
#include "client/local_ui/poco_local_ui_listener.hpp"
#include "shared/util/log.hpp"

namespace openmps::client::local_ui {
namespace {

void checkSettings(const LocalUiSettings& settings) {
  const auto problem =
      listenProblem(settings.listen, settings.allowRemote, settings.tlsCert, settings.tlsKey);
  if (!problem.empty()) throw std::runtime_error(problem);
  if (settings.tlsCert.empty() != settings.tlsKey.empty()) {
    throw std::runtime_error(settings.tlsCert.empty()
                                 ? "local_ui.tls.cert: required with local_ui.tls.key"
                                 : "local_ui.tls.key: required with local_ui.tls.cert");
  }
  // Named by key here: Poco's message for a missing file names neither.
  for (const auto& [key, file] : {std::pair{"local_ui.tls.cert", &settings.tlsCert},
                                  std::pair{"local_ui.tls.key", &settings.tlsKey}}) {
    if (!file->empty() && !std::filesystem::is_regular_file(*file)) {
      throw std::runtime_error(std::string(key) + ": " + *file + ": no such file");
    }
  }
}

bool usesTls(const LocalUiSettings& settings) {
  return !settings.tlsCert.empty() && !settings.tlsKey.empty();
}

// Host and peer checks are off only behind TLS: on plain HTTP they are the
// defence against DNS rebinding, whatever allow_remote says.
ListenOptions listenOptions(const LocalUiSettings& settings) {
  return {settings.listen, settings.port, settings.allowRemote && usesTls(settings),
          settings.tlsCert, settings.tlsKey};
}

}  // namespace

struct LocalUiService::Impl {
  Impl(const LocalUiSettings& settings, daemon::DaemonControl& daemon, const util::Clock& clock)
      : password(settings.passwordFile),
        initialCode(password.isSet() ? std::string{} : newSetupCode()),
        setupCode(initialCode),
        gate(clock, SignInPolicy{}, [] { return randomToken(); }),
        api(daemon, password, setupCode, gate, builtFiles(), usesTls(settings)),
        listener(listenOptions(settings), api) {}

  PasswordFile password;
  std::string initialCode;  // for the start-up log line only
  SetupCode setupCode;
  SignInGate gate;
  LocalUiApi api;
  PocoLocalUiListener listener;
};

LocalUiService::LocalUiService(const LocalUiSettings& settings, daemon::DaemonControl& daemon,
                               const util::Clock& clock, outbox::SentEnvelopeLog* envelopes,
                               ClientSetup* setup) {
  checkSettings(settings);
  impl_ = std::make_unique<Impl>(settings, daemon, clock);
  impl_->api.setEnvelopeLog(envelopes);
  impl_->api.setClientSetup(setup);
  const auto address = (usesTls(settings) ? "https://" : "http://") + settings.listen + ":" +
                       std::to_string(impl_->listener.port());
  util::logInfo("local_ui") << "local UI at " << address;
  if (impl_->setupCode.active()) {
    // The one way to set the first password: whoever reads this log runs the machine.
    util::logWarning("local_ui") << "no local UI password yet: open " << address
                                 << " and use the one-time setup code " << impl_->initialCode;
    impl_->initialCode.clear();
  }
}

LocalUiService::~LocalUiService() = default;

std::uint16_t LocalUiService::port() const {
  return impl_->listener.port();
}

}  // namespace openmps::client::local_ui
