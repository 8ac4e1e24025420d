#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "shared/envelope/xmlrpc_call.hpp"

// XML-RPC request bodies in, XML-RPC response bodies out: mps.submit and
// the introspection methods (system.listMethods, system.methodHelp,
// system.methodSignature). No sockets here; the HTTP(S) listeners and the
// tests feed it bodies.
namespace openmps::server::receiver {

// Receives the sealed envelope of one mps.submit call.
using SubmitHandler = std::function<envelope::SubmitResult(
    std::string_view sealed, std::string_view carrier, std::string_view peer)>;

class RpcDispatcher {
 public:
  explicit RpcDispatcher(SubmitHandler handler);
  ~RpcDispatcher();
  RpcDispatcher(const RpcDispatcher&) = delete;
  RpcDispatcher& operator=(const RpcDispatcher&) = delete;

  // Always returns a well-formed XML-RPC response: an answer, or a fault
  // with a code of fault_codes.hpp (bad calls are 100) and a log line.
  std::string handle(std::string_view body, std::string_view carrier, std::string_view peer) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::receiver
