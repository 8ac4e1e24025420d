#include "server/receiver/rpc_dispatcher.hpp"

#include <algorithm>
#include <array>

#include <xmlrpc-c/base.hpp>
#include <xmlrpc-c/girerr.hpp>
#include <xmlrpc-c/registry.hpp>
#include <xmlrpc-c/xml.hpp>

#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/fault_codes.hpp"
#include "shared/envelope/xmlrpc_guard.hpp"
#include "shared/envelope/xmlrpc_params.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::receiver {
namespace {

constexpr std::string_view kLog = "receiver";

// The per-call context xmlrpc-c hands to the method.
class CallContext : public xmlrpc_c::callInfo {
 public:
  CallContext(std::string_view carrierName, std::string_view peerName)
      : carrier(carrierName), peer(peerName) {}
  std::string_view carrier;  // NOLINT(misc-non-private-member-variables-in-classes)
  std::string_view peer;
};

// mps.submit on parsed parameters: the envelope to the handler, or a fault.
envelope::SubmitResult submit(const SubmitHandler& handler, const xmlrpc_c::paramList& params,
                              std::string_view carrier, std::string_view peer) {
  std::string sealed;
  try {
    sealed = envelope::envelopeFromParams(params);
  } catch (const envelope::EnvelopeError& e) {
    util::logWarning(kLog) << "bad mps.submit via " << carrier << " from " << peer << ": "
                           << e.what();
    return envelope::SubmitFault{envelope::faultCodeFor(e.kind()), e.what()};
  }
  return handler(sealed, carrier, peer);
}

// Registered for the introspection methods (listMethods, methodHelp,
// methodSignature); calls of mps.submit itself are dispatched by
// RpcDispatcher::handle from the call it parsed already.
class SubmitMethod : public xmlrpc_c::method2 {
 public:
  using xmlrpc_c::method2::execute;
  explicit SubmitMethod(SubmitHandler handler) : handler_(std::move(handler)) {
    _signature = "S:6";
    _help =
        "mps.submit(base64 sealed envelope) -> struct {status, client_id, batch_seq, items}. "
        "Stores one sealed batch exactly once.";
  }

  void execute(const xmlrpc_c::paramList& params, const xmlrpc_c::callInfo* info,
               xmlrpc_c::value* result) override {
    const auto* ctx = dynamic_cast<const CallContext*>(info);
    const envelope::SubmitResult outcome =
        submit(handler_, params, ctx != nullptr ? ctx->carrier : "unknown",
               ctx != nullptr ? ctx->peer : "unknown");
    if (const auto* fault = std::get_if<envelope::SubmitFault>(&outcome)) {
      throw xmlrpc_c::fault(fault->message, static_cast<xmlrpc_c::fault::code_t>(fault->code));
    }
    *result = envelope::ackToValue(std::get<envelope::SubmitAck>(outcome));
  }

 private:
  SubmitHandler handler_;
};

std::string faultResponse(int code, const std::string& message) {
  return envelope::encodeFaultResponse(envelope::SubmitFault{code, message});
}

// The methods this server answers. xmlrpc-c's own system.listMethods would
// also name system.multicall and system.shutdown, which are refused.
constexpr std::array<std::string_view, 4> kAllowed = {
    envelope::kSubmitMethod, "system.listMethods", "system.methodHelp", "system.methodSignature"};

bool allowed(std::string_view method) {
  return std::find(kAllowed.begin(), kAllowed.end(), method) != kAllowed.end();
}

std::string listMethodsResponse() {
  std::vector<xmlrpc_c::value> names;
  names.reserve(kAllowed.size());
  for (const auto name : kAllowed) names.emplace_back(xmlrpc_c::value_string(std::string(name)));
  std::string xml;
  xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(xmlrpc_c::value_array(names)), &xml);
  return xml;
}

// methodHelp and methodSignature describe only what listMethods names.
bool asksAboutRefusedMethod(const xmlrpc_c::paramList& params) {
  return params.size() == 1 && params[0].type() == xmlrpc_c::value::TYPE_STRING &&
         !allowed(xmlrpc_c::value_string(params[0]).cvalue());
}

}  // namespace

struct RpcDispatcher::Impl {
  SubmitHandler handler;
  xmlrpc_c::registry registry;
};

RpcDispatcher::RpcDispatcher(SubmitHandler handler) : impl_(std::make_unique<Impl>()) {
  envelope::configureXmlRpcLimits();
  impl_->handler = handler;
  impl_->registry.addMethod(envelope::kSubmitMethod,
                            xmlrpc_c::methodPtr(new SubmitMethod(std::move(handler))));
}

RpcDispatcher::~RpcDispatcher() = default;

std::string RpcDispatcher::handle(std::string_view body, std::string_view carrier,
                                  std::string_view peer) const {
  if (body.size() > envelope::kMaxCallBytes) {
    util::logWarning(kLog) << "oversize call via " << carrier << " from " << peer << ": "
                           << body.size() << " bytes";
    return faultResponse(envelope::kFaultOversize,
                         "call of " + std::to_string(body.size()) + " bytes exceeds the limit");
  }
  // Parsed here first so that a malformed call gets our fault code (100)
  // and only known methods reach the registry (no system.multicall: one
  // request, one envelope, one rate-limit token).
  try {
    envelope::rejectUnsafeXmlRpc(body);  // xmlrpc-c 1.33 crashes on some bad <i8> values
  } catch (const envelope::EnvelopeError& e) {
    util::logWarning(kLog) << "malformed XML-RPC call via " << carrier << " from " << peer << ": "
                           << e.what();
    return faultResponse(envelope::kFaultBadCall, e.what());
  }
  std::string method;
  xmlrpc_c::paramList params;
  const std::string xml(body);
  try {
    xmlrpc_c::xml::parseCall(xml, &method, &params);
  } catch (const girerr::error& e) {
    util::logWarning(kLog) << "malformed XML-RPC call via " << carrier << " from " << peer << ": "
                           << e.what();
    return faultResponse(envelope::kFaultBadCall,
                         std::string("not a well-formed XML-RPC call: ") + e.what());
  }
  if (!allowed(method)) {
    util::logWarning(kLog) << "unknown method '" << method.substr(0, 100) << "' via " << carrier
                           << " from " << peer;
    return faultResponse(envelope::kFaultBadCall, "unknown method '" + method.substr(0, 100) +
                                                      "' (this server offers mps.submit)");
  }
  if (method == envelope::kSubmitMethod) {
    // Answered from the parse above: the registry would parse the call
    // (and its base64 envelope) a second time.
    try {
      const envelope::SubmitResult outcome = submit(impl_->handler, params, carrier, peer);
      if (const auto* fault = std::get_if<envelope::SubmitFault>(&outcome)) {
        return envelope::encodeFaultResponse(*fault);
      }
      return envelope::encodeSubmitResponse(std::get<envelope::SubmitAck>(outcome));
    } catch (const std::exception& e) {
      util::logError(kLog) << "call via " << carrier << " from " << peer << " failed: " << e.what();
      return faultResponse(envelope::kFaultInternal, "internal error, try again later");
    }
  }
  if (method == "system.listMethods") return listMethodsResponse();
  if (asksAboutRefusedMethod(params)) {
    return faultResponse(envelope::kFaultBadCall,
                         "no such method (system.listMethods names what this server offers)");
  }
  const CallContext context(carrier, peer);
  std::string response;
  try {
    impl_->registry.processCall(xml, &context, &response);
  } catch (const std::exception& e) {
    util::logError(kLog) << "call via " << carrier << " from " << peer << " failed: " << e.what();
    return faultResponse(envelope::kFaultInternal, "internal error, try again later");
  }
  return response;
}

}  // namespace openmps::server::receiver
