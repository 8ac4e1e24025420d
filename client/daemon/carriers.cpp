#include "client/daemon/carriers.hpp"

#include <string>
#include <utility>
#include <vector>

#include "client/carrier/curl_xmlrpc_carrier.hpp"
#include "client/carrier/smtp_carrier.hpp"
#include "shared/util/log.hpp"
#include "shared/util/version.hpp"

namespace openmps::client::daemon {
namespace {

constexpr std::string_view kLog = "run";
constexpr std::string_view kMailto = "mailto:";

std::unique_ptr<carrier::Carrier> mailRoute(const config::ClientConfig& config,
                                            const std::string& server) {
  const auto& mail = config.carrier.smtp;
  carrier::SmtpSettings s;
  s.server = mail.server;
  s.port = mail.port;
  s.tls = mail.implicitTls ? carrier::SmtpTls::kImplicit : carrier::SmtpTls::kStartTls;
  s.user = mail.user;
  s.password = mail.password;
  s.from = mail.from;
  s.to = mail.to.empty() ? server.substr(kMailto.size()) : mail.to;
  s.caFile = mail.caFile;
  s.connectTimeout = config.carrier.connectTimeout;
  s.timeout = config.carrier.requestTimeout;
  s.clientVersion = openmps::kVersion;
  return std::make_unique<carrier::SmtpCarrier>(std::move(s));
}

std::unique_ptr<carrier::Carrier> xmlRpcRoute(const config::ClientConfig& config,
                                              const envelope::Enrollment& enrollment,
                                              const std::string& server) {
  carrier::XmlRpcCarrierSettings s;
  s.server = server;
  s.fingerprint = enrollment.certFingerprint;
  s.proxy = config.carrier.proxy;
  s.connectTimeout = config.carrier.connectTimeout;
  s.requestTimeout = config.carrier.requestTimeout;
  s.userAgent = std::string("openmps-client/") + openmps::kVersion;
  return std::make_unique<carrier::CurlXmlRpcCarrier>(std::move(s));
}

// A route that reports each answer to the daemon's status.
class ObservedRoute final : public carrier::Carrier {
 public:
  ObservedRoute(std::unique_ptr<carrier::Carrier> route, std::string server, RouteObserver observer)
      : route_(std::move(route)), server_(std::move(server)), observer_(std::move(observer)) {}
  std::string name() const override { return route_->name(); }
  carrier::SendResult send(std::uint64_t clientId, std::uint64_t batchSeq,
                           std::string_view sealed) override {
    auto result = route_->send(clientId, batchSeq, sealed);
    observer_(server_, result);
    return result;
  }

 private:
  std::unique_ptr<carrier::Carrier> route_;
  std::string server_;
  RouteObserver observer_;
};

std::unique_ptr<carrier::Carrier> observed(std::unique_ptr<carrier::Carrier> route,
                                           const std::string& server,
                                           const RouteObserver& observer) {
  if (!observer) return route;
  return std::make_unique<ObservedRoute>(std::move(route), server, observer);
}

}  // namespace

std::unique_ptr<carrier::Carrier> makeCarrier(const config::ClientConfig& config,
                                              const envelope::Enrollment& enrollment,
                                              const RouteObserver& observer) {
  std::vector<std::unique_ptr<carrier::Carrier>> routes;
  for (const auto& server : enrollment.servers) {
    if (!server.starts_with(kMailto)) {
      routes.push_back(observed(xmlRpcRoute(config, enrollment, server), server, observer));
    } else if (config.carrier.smtp.configured) {
      routes.push_back(observed(mailRoute(config, server), server, observer));
    } else {
      util::logWarning(kLog) << "server " << server
                             << ": no carrier.smtp in the configuration; skipped";
    }
  }
  return std::make_unique<carrier::FailoverCarrier>(std::move(routes));
}

}  // namespace openmps::client::daemon
