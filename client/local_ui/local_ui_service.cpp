#include "client/local_ui/local_ui_service.hpp"

#include <stdexcept>

#include "client/local_ui/built_files.hpp"
#include "client/local_ui/poco_local_ui_listener.hpp"
#include "shared/util/log.hpp"

namespace openmps::client::local_ui {
namespace {

void checkSettings(const LocalUiSettings& settings) {
  const auto problem =
      listenProblem(settings.listen, settings.allowRemote, settings.tlsCert, settings.tlsKey);
  if (!problem.empty()) throw std::runtime_error(problem);
  if (!isLoopbackAddress(settings.listen) && settings.listen != "localhost") {
    // The TLS listener is not there yet: refuse rather than serve a
    // password over plain HTTP to the network.
    throw std::runtime_error("local_ui.listen: " + settings.listen +
                             ": only loopback addresses are supported by this version");
  }
}

}  // namespace

struct LocalUiService::Impl {
  Impl(const LocalUiSettings& settings, daemon::DaemonControl& daemon, const util::Clock& clock)
      : password(settings.passwordFile),
        initialCode(password.isSet() ? std::string{} : newSetupCode()),
        setupCode(initialCode),
        gate(clock, SignInPolicy{}, [] { return randomToken(); }),
        api(daemon, password, setupCode, gate, builtFiles(), false),
        listener(ListenOptions{settings.listen, settings.port, settings.allowRemote}, api) {}

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
  const auto address = "http://" + settings.listen + ":" + std::to_string(impl_->listener.port());
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
