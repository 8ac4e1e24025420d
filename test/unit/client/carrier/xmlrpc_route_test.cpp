#include "client/carrier/xmlrpc_route.hpp"

#include <catch2/catch.hpp>

#include "client/carrier/carrier.hpp"
#include "shared/envelope/fault_codes.hpp"
#include "shared/envelope/xmlrpc_call.hpp"

using namespace openmps;
using namespace openmps::client::carrier;

TEST_CASE("enrollment addresses become request URLs") {
  auto r = parseXmlRpcRoute("xmlrpcs://mps.example.net:52004");
  CHECK(r.requestUrl == "https://mps.example.net:52004/RPC2");
  CHECK(r.tls);
  CHECK_FALSE(r.proxyAllowed);
  CHECK(parseXmlRpcRoute("xmlrpcs://mps.example.net").requestUrl ==
        "https://mps.example.net:52004/RPC2");
  r = parseXmlRpcRoute("xmlrpc://127.0.0.5:6000/");
  CHECK(r.requestUrl == "http://127.0.0.5:6000/RPC2");
  CHECK_FALSE(r.tls);
  r = parseXmlRpcRoute("https://mps.example.net/RPC2");
  CHECK(r.requestUrl == "https://mps.example.net/RPC2");
  CHECK(r.proxyAllowed);
  CHECK(parseXmlRpcRoute("https://[::1]:8443").requestUrl == "https://[::1]:8443/RPC2");
  CHECK(parseXmlRpcRoute("xmlrpcs://[::1]").requestUrl == "https://[::1]:52004/RPC2");
}

TEST_CASE("addresses that are not XML-RPC are refused by name") {
  CHECK_THROWS_WITH(parseXmlRpcRoute("mailto:inbox@example.net"),
                    Catch::Contains("'mailto:inbox@example.net'") && Catch::Contains("xmlrpcs://"));
  CHECK_THROWS_WITH(parseXmlRpcRoute("ftp://x"), Catch::Contains("not for XML-RPC"));
  CHECK_THROWS_WITH(parseXmlRpcRoute("xmlrpcs://"), Catch::Contains("names no host"));
  CHECK_THROWS_WITH(parseXmlRpcRoute("xmlrpcs://host:99999"), Catch::Contains("bad port '99999'"));
  CHECK_THROWS_WITH(parseXmlRpcRoute("xmlrpcs://host:0"), Catch::Contains("bad port"));
  CHECK_THROWS_WITH(parseXmlRpcRoute("https://user@host/RPC2"), Catch::Contains("cannot have"));
}

TEST_CASE("acknowledgements for exactly this batch count as delivered") {
  const auto ack = [](std::string status, std::uint64_t client, std::uint64_t batch) {
    return envelope::encodeSubmitResponse({std::move(status), client, batch, 3});
  };
  SendResult r = interpretSubmitAnswer(200, ack("stored", 7, 42), 7, 42);
  CHECK(r.status == SendStatus::kStored);
  CHECK(r.delivered());
  CHECK(r.detail == "3 readings stored");
  r = interpretSubmitAnswer(200, ack("duplicate", 7, 42), 7, 42);
  CHECK(r.status == SendStatus::kDuplicate);
  CHECK(r.delivered());
  // An acknowledgement of some other batch does not take this one off the outbox.
  r = interpretSubmitAnswer(200, ack("stored", 7, 41), 7, 42);
  CHECK(r.status == SendStatus::kRetryable);
  CHECK_THAT(r.detail, Catch::Contains("7/41"));
  r = interpretSubmitAnswer(200, ack("stored", 8, 42), 7, 42);
  CHECK(r.status == SendStatus::kRetryable);
  r = interpretSubmitAnswer(200, ack("maybe", 7, 42), 7, 42);
  CHECK(r.status == SendStatus::kRetryable);
  CHECK_FALSE(r.delivered());
}

TEST_CASE("answers that are not ours are retried, never taken for an acknowledgement") {
  SendResult r = interpretSubmitAnswer(200, "<html>Please log in to the hotel Wi-Fi</html>", 7, 42);
  CHECK(r.status == SendStatus::kRetryable);
  CHECK_THAT(r.detail, Catch::Contains("not an mps.submit answer"));
  r = interpretSubmitAnswer(503, "", 7, 42);
  CHECK(r.status == SendStatus::kRetryable);
  CHECK(r.detail == "HTTP status 503");
  CHECK(interpretSubmitAnswer(429, "", 7, 42).status == SendStatus::kRetryable);
  r = interpretSubmitAnswer(404, "not found", 7, 42);
  CHECK(r.status == SendStatus::kPermanent);
  CHECK_FALSE(r.batchRefused);  // the address is wrong, not the batch
  r = interpretSubmitAnswer(413, "", 7, 42);
  CHECK(r.status == SendStatus::kPermanent);
  CHECK(r.batchRefused);
}

TEST_CASE("faults sort into retry later, batch refused and enrollment broken") {
  const auto fault = [](int code) {
    return interpretSubmitAnswer(200, envelope::encodeFaultResponse({code, "why"}), 7, 42);
  };
  for (int code : {int{envelope::kFaultRateLimited}, int{envelope::kFaultUnavailable}, 299, 999}) {
    INFO(code);
    CHECK(fault(code).status == SendStatus::kRetryable);
  }
  for (int code :
       {envelope::kFaultBadCall, envelope::kFaultGarbage, envelope::kFaultUnsupportedVersion,
        envelope::kFaultTruncated, envelope::kFaultOversize, envelope::kFaultTampered,
        envelope::kFaultReplayed, envelope::kFaultBadPayload}) {
    INFO(code);
    const SendResult r = fault(code);
    CHECK(r.status == SendStatus::kPermanent);
    CHECK(r.batchRefused);
    CHECK_THAT(r.detail, Catch::Contains("server fault " + std::to_string(code) + ": why"));
  }
  for (int code : {envelope::kFaultUnknownClient, envelope::kFaultWrongKey}) {
    INFO(code);
    const SendResult r = fault(code);
    CHECK(r.status == SendStatus::kPermanent);
    CHECK_FALSE(r.batchRefused);
    CHECK_THAT(r.detail, Catch::Contains("enrollment"));
  }
}

namespace {

class ScriptedRoute final : public Carrier {
 public:
  ScriptedRoute(std::string name, std::vector<SendResult> answers)
      : name_(std::move(name)), answers_(std::move(answers)) {}
  std::string name() const override { return name_; }
  SendResult send(std::uint64_t, std::uint64_t, std::string_view) override {
    ++calls;
    SendResult r = answers_.at(std::min(next_, answers_.size() - 1));
    ++next_;
    return r;
  }
  int calls = 0;

 private:
  std::string name_;
  std::vector<SendResult> answers_;
  std::size_t next_ = 0;
};

const SendResult kStored{SendStatus::kStored, "stored", false};
const SendResult kDown{SendStatus::kRetryable, "connection refused", false};
const SendResult kPinned{SendStatus::kPermanent, "certificate mismatch", false};
const SendResult kTampered{SendStatus::kPermanent, "fault 112", true};
SendResult relayRefused() {
  SendResult r{SendStatus::kPermanent, "552 message too large", true};
  r.refusedByRoute = true;
  return r;
}

}  // namespace

TEST_CASE("failover tries the next server and remembers the one that worked") {
  auto a = std::make_unique<ScriptedRoute>("a", std::vector<SendResult>{kDown, kDown, kStored});
  auto b = std::make_unique<ScriptedRoute>("b", std::vector<SendResult>{kStored, kDown});
  ScriptedRoute* pa = a.get();
  ScriptedRoute* pb = b.get();
  std::vector<std::unique_ptr<Carrier>> routes;
  routes.push_back(std::move(a));
  routes.push_back(std::move(b));
  FailoverCarrier f(std::move(routes));
  CHECK(f.name() == "a, b");
  const SendResult first = f.send(1, 1, "x");
  CHECK(first.status == SendStatus::kStored);
  CHECK(first.route == "b");
  CHECK(pa->calls == 1);
  CHECK(pb->calls == 1);
  CHECK(f.preferred() == 1);
  // b is tried first now; it fails, a is down too: retry later, both named.
  const SendResult r = f.send(1, 2, "x");
  CHECK(r.status == SendStatus::kRetryable);
  CHECK(r.detail == "b: connection refused; a: connection refused");
  CHECK(f.send(1, 2, "x").status == SendStatus::kStored);
  CHECK(f.preferred() == 0);
}

TEST_CASE("failover stops at a refused batch but not at a misconfigured route") {
  {
    std::vector<std::unique_ptr<Carrier>> routes;
    routes.push_back(std::make_unique<ScriptedRoute>("a", std::vector<SendResult>{kTampered}));
    auto b = std::make_unique<ScriptedRoute>("b", std::vector<SendResult>{kStored});
    ScriptedRoute* pb = b.get();
    routes.push_back(std::move(b));
    FailoverCarrier f(std::move(routes));
    const SendResult r = f.send(1, 1, "x");
    CHECK(r.status == SendStatus::kPermanent);
    CHECK(r.batchRefused);
    CHECK(r.detail == "a: fault 112");
    CHECK(pb->calls == 0);
  }
  {
    std::vector<std::unique_ptr<Carrier>> routes;
    routes.push_back(std::make_unique<ScriptedRoute>("a", std::vector<SendResult>{kPinned}));
    routes.push_back(std::make_unique<ScriptedRoute>("b", std::vector<SendResult>{kDown, kStored}));
    FailoverCarrier f(std::move(routes));
    const SendResult r = f.send(1, 1, "x");
    CHECK(r.status == SendStatus::kPermanent);  // reported loudly...
    CHECK_FALSE(r.batchRefused);                // ...but the batch stays
    CHECK(r.detail == "a: certificate mismatch; b: connection refused");
    CHECK(f.send(1, 1, "x").status == SendStatus::kStored);
  }
  CHECK_THROWS_WITH(FailoverCarrier({}), Catch::Contains("no server"));
}

TEST_CASE("a batch one route refuses goes by another, or waits for one that is away") {
  {  // the mail relay refuses it, the direct route takes it
    std::vector<std::unique_ptr<Carrier>> routes;
    routes.push_back(
        std::make_unique<ScriptedRoute>("mail", std::vector<SendResult>{relayRefused()}));
    routes.push_back(std::make_unique<ScriptedRoute>("direct", std::vector<SendResult>{kStored}));
    FailoverCarrier f(std::move(routes));
    const SendResult r = f.send(1, 1, "x");
    CHECK(r.status == SendStatus::kStored);
    CHECK(r.route == "direct");
  }
  {  // the direct route is away: the batch waits, it is not set aside
    std::vector<std::unique_ptr<Carrier>> routes;
    routes.push_back(
        std::make_unique<ScriptedRoute>("mail", std::vector<SendResult>{relayRefused()}));
    routes.push_back(std::make_unique<ScriptedRoute>("direct", std::vector<SendResult>{kDown}));
    FailoverCarrier f(std::move(routes));
    const SendResult r = f.send(1, 1, "x");
    CHECK(r.status == SendStatus::kRetryable);
    CHECK_FALSE(r.batchRefused);
    CHECK(r.detail == "mail: 552 message too large; direct: connection refused");
  }
  {  // the only route refuses it: set aside, so the batches behind it go on
    std::vector<std::unique_ptr<Carrier>> routes;
    routes.push_back(
        std::make_unique<ScriptedRoute>("mail", std::vector<SendResult>{relayRefused()}));
    FailoverCarrier f(std::move(routes));
    const SendResult r = f.send(1, 1, "x");
    CHECK(r.status == SendStatus::kPermanent);
    CHECK(r.batchRefused);
    CHECK(r.detail == "mail: 552 message too large");
  }
}
