#pragma once

#include <memory>

#include "client/carrier/carrier.hpp"
#include "client/config/client_config.hpp"
#include "shared/envelope/enrollment.hpp"

// The carriers an enrollment asks for, set up from the configuration: one
// route per server of the enrollment, in its order (XML-RPC over TLS,
// HTTPS, e-mail through carrier.smtp), behind one FailoverCarrier.
namespace openmps::client::daemon {

std::unique_ptr<carrier::Carrier> makeCarrier(const config::ClientConfig& config,
                                              const envelope::Enrollment& enrollment);

}  // namespace openmps::client::daemon
