#include "server/receiver/rpc_http_handler.hpp"

#include <catch2/catch.hpp>

#include "shared/envelope/fault_codes.hpp"
#include "shared/envelope/xmlrpc_call.hpp"

using namespace openmps;
using namespace openmps::server::receiver;

namespace {

RpcDispatcher ackingDispatcher(int& calls) {
  return RpcDispatcher([&calls](std::string_view, std::string_view, std::string_view) {
    ++calls;
    return envelope::SubmitResult{envelope::SubmitAck{"stored", 7, 1, 1}};
  });
}

HttpRequest post(std::string path, std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.path = std::move(path);
  r.target = r.path;
  r.body = std::move(body);
  r.peer = "192.0.2.1";
  return r;
}

int faultIn(const HttpResponse& r) {
  const auto decoded = envelope::decodeSubmitResponse(r.body);
  const auto* f = std::get_if<envelope::SubmitFault>(&decoded);
  return f == nullptr ? 0 : f->code;
}

}  // namespace

TEST_CASE("XML-RPC over HTTP: POST bodies to the dispatcher", "[server][receiver]") {
  int calls = 0;
  const auto dispatcher = ackingDispatcher(calls);
  RpcHttpHandler xmlrpc(dispatcher, "xmlrpc", false);
  RpcHttpHandler web(dispatcher, "https", true);
  const auto call = envelope::encodeSubmitCall("x");
  const auto answer = xmlrpc.handle(post("/anything", call));
  CHECK(answer.status == 200);
  CHECK(answer.contentType == "text/xml");
  CHECK(std::holds_alternative<envelope::SubmitAck>(envelope::decodeSubmitResponse(answer.body)));
  CHECK(web.handle(post("/RPC2", call)).status == 200);
  CHECK(web.handle(post("/other", call)).status == 404);
  auto get = post("/RPC2", "");
  get.method = "GET";
  const auto refused = web.handle(get);
  CHECK(refused.status == 405);
  CHECK(refused.headers == std::vector<std::pair<std::string, std::string>>{{"Allow", "POST"}});
  CHECK(calls == 2);
}

TEST_CASE("the listener's refusals become faults clients retry or set aside",
          "[server][receiver]") {
  int calls = 0;
  const auto dispatcher = ackingDispatcher(calls);
  RpcHttpHandler handler(dispatcher, "xmlrpc", false);
  const auto big = handler.refuse(post("/", ""), Refusal::kTooLarge, "request larger than 9");
  CHECK(faultIn(big) == envelope::kFaultOversize);
  CHECK(big.closeConnection);
  const auto rate = handler.refuse(post("/", ""), Refusal::kRateLimited, "slow down");
  CHECK(faultIn(rate) == envelope::kFaultRateLimited);
  CHECK(envelope::isRetryableFault(faultIn(rate)));
  CHECK(calls == 0);
}

TEST_CASE("header lookup ignores case", "[server][receiver]") {
  HttpRequest r;
  r.headers = {{"Content-Type", "text/xml"}, {"X-A", "1"}, {"x-a", "2"}};
  CHECK(r.header("content-type") == "text/xml");
  CHECK(r.header("X-a") == "1");
  CHECK(r.header("missing").empty());
}
