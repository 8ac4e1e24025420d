#include "server/receiver/rpc_dispatcher.hpp"

#include <catch2/catch.hpp>
#include <xmlrpc-c/base.hpp>
#include <xmlrpc-c/xml.hpp>

#include "shared/envelope/fault_codes.hpp"
#include "shared/envelope/xmlrpc_call.hpp"
#include "shared/envelope/xmlrpc_guard.hpp"

using namespace openmps;
using openmps::server::receiver::RpcDispatcher;

namespace {

struct Seen {
  std::string sealed;
  std::string carrier;
  std::string peer;
  int calls = 0;
};

RpcDispatcher makeDispatcher(Seen& seen, envelope::SubmitResult answer) {
  return RpcDispatcher(
      [&seen, answer](std::string_view sealed, std::string_view carrier, std::string_view peer) {
        seen.sealed = sealed;
        seen.carrier = carrier;
        seen.peer = peer;
        ++seen.calls;
        return answer;
      });
}

std::string call(const std::string& method, const xmlrpc_c::paramList& params) {
  std::string xml;
  xmlrpc_c::xml::generateCall(method, params, &xml);
  return xml;
}

}  // namespace

TEST_CASE("mps.submit reaches the handler and its ack comes back", "[server][receiver]") {
  Seen seen;
  const auto dispatcher = makeDispatcher(seen, envelope::SubmitAck{"stored", 17, 4, 2});
  const std::string envelopeBytes("OMPE\x01\x00binary", 12);
  const auto response =
      dispatcher.handle(envelope::encodeSubmitCall(envelopeBytes), "xmlrpc", "127.0.0.1");
  CHECK(seen.calls == 1);
  CHECK(seen.sealed == envelopeBytes);
  CHECK(seen.carrier == "xmlrpc");
  CHECK(seen.peer == "127.0.0.1");
  CHECK(envelope::decodeSubmitResponse(response) ==
        envelope::SubmitResult{envelope::SubmitAck{"stored", 17, 4, 2}});
}

TEST_CASE("a handler's fault becomes an XML-RPC fault with its code", "[server][receiver]") {
  Seen seen;
  const auto dispatcher =
      makeDispatcher(seen, envelope::SubmitFault{envelope::kFaultRateLimited, "rate limited"});
  const auto response = dispatcher.handle(envelope::encodeSubmitCall("x"), "https", "p");
  CHECK(envelope::decodeSubmitResponse(response) ==
        envelope::SubmitResult{envelope::SubmitFault{envelope::kFaultRateLimited, "rate limited"}});
}

TEST_CASE("bad calls are fault 100 and never reach the handler", "[server][receiver]") {
  Seen seen;
  const auto dispatcher = makeDispatcher(seen, envelope::SubmitAck{"stored", 1, 1, 1});
  auto faultCode = [&](const std::string& body) {
    const auto r = envelope::decodeSubmitResponse(dispatcher.handle(body, "xmlrpc", "p"));
    const auto* f = std::get_if<envelope::SubmitFault>(&r);
    return f == nullptr ? 0 : f->code;
  };
  CHECK(faultCode("<methodCall><oops") == envelope::kFaultBadCall);
  CHECK(faultCode("") == envelope::kFaultBadCall);
  xmlrpc_c::paramList stringParam;
  stringParam.add(xmlrpc_c::value_string("not base64"));
  CHECK(faultCode(call("mps.submit", stringParam)) == envelope::kFaultBadCall);
  CHECK(faultCode(call("mps.submit", xmlrpc_c::paramList())) == envelope::kFaultBadCall);
  CHECK(faultCode(call("mps.other", xmlrpc_c::paramList())) == envelope::kFaultBadCall);
  CHECK(faultCode(call("system.multicall", xmlrpc_c::paramList())) == envelope::kFaultBadCall);
  CHECK(faultCode(std::string(envelope::kMaxCallBytes + 1, ' ')) == envelope::kFaultOversize);
  // xmlrpc-c 1.33 crashes on this one; the guard answers it instead.
  CHECK(faultCode("<?xml version=\"1.0\"?><methodCall><methodName>mps.submit</methodName>"
                  "<params><param><value><i8>1x</i8></value></param></params></methodCall>") ==
        envelope::kFaultBadCall);
  CHECK(seen.calls == 0);
}

TEST_CASE("system.listMethods names mps.submit", "[server][receiver]") {
  Seen seen;
  const auto dispatcher = makeDispatcher(seen, envelope::SubmitAck{"stored", 1, 1, 1});
  const auto response = dispatcher.handle(call("system.listMethods", {}), "xmlrpc", "p");
  xmlrpc_c::rpcOutcome outcome;
  xmlrpc_c::xml::parseResponse(response, &outcome);
  REQUIRE(outcome.succeeded());
  const auto names = xmlrpc_c::value_array(outcome.getResult()).vectorValueValue();
  std::vector<std::string> methods;
  for (const auto& v : names) {
    methods.push_back(xmlrpc_c::value_string(v).cvalue());
  }
  // Exactly what the dispatcher answers: no system.multicall, no system.shutdown.
  CHECK(methods == std::vector<std::string>{"mps.submit", "system.listMethods", "system.methodHelp",
                                            "system.methodSignature"});
}

TEST_CASE("introspection describes only the methods offered", "[server][receiver]") {
  Seen seen;
  const auto dispatcher = makeDispatcher(seen, envelope::SubmitAck{"stored", 1, 1, 1});
  auto ask = [&](const std::string& method, const std::string& about) {
    xmlrpc_c::paramList params;
    params.add(xmlrpc_c::value_string(about));
    return dispatcher.handle(call(method, params), "xmlrpc", "p");
  };
  for (const char* refused : {"system.multicall", "system.shutdown", "system.capabilities"}) {
    INFO(refused);
    const auto r = envelope::decodeSubmitResponse(ask("system.methodHelp", refused));
    CHECK(std::get<envelope::SubmitFault>(r).code == envelope::kFaultBadCall);
  }
  xmlrpc_c::rpcOutcome outcome;
  xmlrpc_c::xml::parseResponse(ask("system.methodHelp", "mps.submit"), &outcome);
  REQUIRE(outcome.succeeded());
  CHECK(xmlrpc_c::value_string(outcome.getResult()).cvalue().starts_with("mps.submit("));
}

TEST_CASE("the server's answers fit the XML-RPC shape limits with a margin", "[server][receiver]") {
  Seen seen;
  const auto dispatcher = makeDispatcher(seen, envelope::SubmitAck{"stored", 1, 1, 1});
  xmlrpc_c::paramList about;
  about.add(xmlrpc_c::value_string("mps.submit"));
  const envelope::XmlRpcShapeLimits tight{12, 32};
  for (const auto& [method, params] :
       {std::pair{std::string("system.listMethods"), xmlrpc_c::paramList()},
        std::pair{std::string("system.methodSignature"), about},
        std::pair{std::string("system.methodHelp"), about}}) {
    INFO(method);
    CHECK_NOTHROW(envelope::rejectUnsafeXmlRpc(call(method, params), tight));
    CHECK_NOTHROW(
        envelope::rejectUnsafeXmlRpc(dispatcher.handle(call(method, params), "x", "p"), tight));
  }
}
