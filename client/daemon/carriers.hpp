#pragma once

#include <functional>
#include <memory>
#include <string>

#include "client/carrier/carrier.hpp"
#include "client/config/client_config.hpp"
#include "shared/envelope/enrollment.hpp"

// The carriers an enrollment asks for, set up from the configuration: one
// route per server of the enrollment, in its order (XML-RPC over TLS,
// HTTPS, e-mail through carrier.smtp), behind one FailoverCarrier.
namespace openmps::client::daemon {

// Told every answer of every route (the server as enrolled, the result).
using RouteObserver = std::function<void(const std::string&, const carrier::SendResult&)>;

std::unique_ptr<carrier::Carrier> makeCarrier(const config::ClientConfig& config,
                                              const envelope::Enrollment& enrollment,
                                              const RouteObserver& observer = {});

}  // namespace openmps::client::daemon
