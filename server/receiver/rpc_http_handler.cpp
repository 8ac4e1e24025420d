#include "server/receiver/rpc_http_handler.hpp"

#include <utility>

#include "shared/envelope/fault_codes.hpp"
#include "shared/envelope/xmlrpc_call.hpp"

namespace openmps::server::receiver {
namespace {

HttpResponse xml(std::string body) {
  return HttpResponse{200, "text/xml", {}, std::move(body), false};
}

HttpResponse text(int status, std::string body) {
  return HttpResponse{status, "text/plain; charset=utf-8", {}, std::move(body), false};
}

}  // namespace

RpcHttpHandler::RpcHttpHandler(const RpcDispatcher& dispatcher, std::string carrier, bool rpc2Only)
    : dispatcher_(dispatcher), carrier_(std::move(carrier)), rpc2Only_(rpc2Only) {}

HttpResponse RpcHttpHandler::handle(const HttpRequest& request) {
  if (rpc2Only_ && request.path != "/RPC2") return text(404, "not found\n");
  if (request.method != "POST") {
    HttpResponse r = text(405, "XML-RPC: POST an mps.submit call\n");
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  return xml(dispatcher_.handle(request.body, carrier_, request.peer));
}

HttpResponse RpcHttpHandler::refuse(const HttpRequest& /*request*/, Refusal why,
                                    const std::string& message) {
  const int code =
      why == Refusal::kTooLarge ? envelope::kFaultOversize : envelope::kFaultRateLimited;
  HttpResponse r = xml(envelope::encodeFaultResponse(envelope::SubmitFault{code, message}));
  r.closeConnection = true;
  return r;
}

}  // namespace openmps::server::receiver
