#pragma once

#include <string>

#include "server/receiver/http_handler.hpp"
#include "server/receiver/rpc_dispatcher.hpp"

// XML-RPC over HTTP(S) for a PocoHttpListener: POST bodies to the
// RpcDispatcher, everything else refused. The XML-RPC port answers POST on
// any path; the web port only POST /RPC2. Refusals of the listener
// (oversize, rate limit per source address) become XML-RPC faults (104,
// 200), which clients know how to handle.
namespace openmps::server::receiver {

class RpcHttpHandler final : public HttpHandler {
 public:
  // carrier: the name in logs and the ingest log ("xmlrpc", "https").
  RpcHttpHandler(const RpcDispatcher& dispatcher, std::string carrier, bool rpc2Only);

  HttpResponse handle(const HttpRequest& request) override;
  HttpResponse refuse(const HttpRequest& request, Refusal why, const std::string& message) override;

 private:
  const RpcDispatcher& dispatcher_;
  std::string carrier_;
  bool rpc2Only_;
};

}  // namespace openmps::server::receiver
