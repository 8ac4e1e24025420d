#pragma once

// The mps.submit parameter and answer as xmlrpc-c values, shared by the
// encoder/decoder in xmlrpc_call.cpp and the method the server registers in
// its xmlrpc_c::registry, so there is one decoder. Include from .cpp files.

#include <string>

#include <xmlrpc-c/base.hpp>

#include "shared/envelope/xmlrpc_call.hpp"

namespace openmps::envelope {

// The envelope bytes from mps.submit's parameters; throws
// EnvelopeError(kBadCall) naming what is wrong.
std::string envelopeFromParams(const xmlrpc_c::paramList& params);

xmlrpc_c::value ackToValue(const SubmitAck& ack);

// xmlrpc-c refuses XML over 512 KB by default; raises its process-wide
// limit to kMaxCallBytes once (xmlrpc_limit_set is not re-entrant).
void configureXmlRpcLimits();

}  // namespace openmps::envelope
