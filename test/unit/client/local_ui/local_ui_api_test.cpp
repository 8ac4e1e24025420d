#include "client/local_ui/local_ui_api.hpp"

#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "../mock_client_setup.hpp"
#include "../mock_daemon_control.hpp"
#include "../mock_sent_envelope_log.hpp"
#include "shared/util/clock.hpp"

using namespace openmps;
using namespace openmps::client;
using namespace openmps::client::local_ui;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("openmps-local-ui-api-" + std::to_string(::getpid()));
  util::ManualClock clock;
  client::test::MockDaemonControl daemon;
  PasswordFile password{(std::filesystem::create_directories(dir), dir / "local-ui.password"),
                        PasswordCost{1, 8192}};
  SetupCode setupCode{"ABCD-EFGH-JKMN"};
  int tokens = 0;
  SignInGate gate{clock, SignInPolicy{}, [this] { return "tok" + std::to_string(++tokens); }};
  StaticFiles files{{"/index.html", "<html></html>"}, {"/assets/app.js", "x()"}};
  LocalUiApi api{daemon, password, setupCode, gate, files, false};
  std::string cookie;
  std::string csrf;

  ~Fixture() { std::filesystem::remove_all(dir); }

  Answer call(const std::string& method, const std::string& path, const json& body = nullptr,
              bool withCsrf = true) {
    Request request;
    request.facts = RequestFacts{method,      "127.0.0.1:52005",
                                 "127.0.0.1", "127.0.0.1",
                                 false,       body.is_null() ? 0 : body.dump().size()};
    request.path = path;
    request.cookieHeader = cookie;
    request.csrfHeader = withCsrf ? csrf : "";
    request.body = body.is_null() ? "" : body.dump();
    auto answer = api.handle(request);
    for (const auto& [name, value] : answer.headers) {
      if (name == "Set-Cookie") cookie = value.substr(0, value.find(';'));
    }
    if (answer.status == 200 && answer.contentType == "application/json") {
      const auto parsed = json::parse(answer.body);
      if (parsed.is_object() && parsed.contains("csrf_token")) csrf = parsed["csrf_token"];
    }
    return answer;
  }
  void setUp() {
    REQUIRE(call("POST", "/api/setup",
                 {{"setup_code", "ABCD-EFGH-JKMN"}, {"password", "a long password"}})
                .status == 200);
  }
};

std::string header(const Answer& answer, const std::string& name) {
  for (const auto& [key, value] : answer.headers) {
    if (key == name) return value;
  }
  return {};
}

}  // namespace

TEST_CASE("local UI API: first start asks for the setup code, then signs in") {
  Fixture f;
  CHECK(json::parse(f.call("GET", "/api/session").body)["state"] == "setup");
  auto wrong =
      f.call("POST", "/api/setup", {{"setup_code", "WRONG"}, {"password", "a long password"}});
  CHECK(wrong.status == 400);
  CHECK(json::parse(wrong.body)["invalid_params"][0]["name"] == "setup_code");
  auto weak =
      f.call("POST", "/api/setup", {{"setup_code", "ABCD-EFGH-JKMN"}, {"password", "short"}});
  CHECK(json::parse(weak.body)["invalid_params"][0]["name"] == "password");
  f.setUp();
  CHECK_FALSE(f.setupCode.active());
  CHECK(f.password.isSet());
  CHECK_THAT(f.cookie, Catch::StartsWith("omps_local_session="));
  CHECK(json::parse(f.call("GET", "/api/session").body)["state"] == "signed_in");
  // The code works once only.
  CHECK(f.call("POST", "/api/setup",
               {{"setup_code", "ABCD-EFGH-JKMN"}, {"password", "another password"}})
            .status == 409);
}

TEST_CASE("local UI API: five wrong passwords lock sign-in for 15 minutes") {
  Fixture f;
  f.setUp();
  f.cookie.clear();
  for (int i = 0; i < 5; ++i)
    CHECK(f.call("POST", "/api/session", {{"password", "wrong one!"}}).status == 401);
  const auto locked = f.call("POST", "/api/session", {{"password", "a long password"}});
  CHECK(locked.status == 429);
  CHECK(header(locked, "Retry-After") == "900");
  f.clock.advance(15min);
  CHECK(f.call("POST", "/api/session", {{"password", "a long password"}}).status == 200);
}

TEST_CASE("local UI API: the API needs a session, changes need the CSRF token") {
  Fixture f;
  CHECK(f.call("GET", "/api/status").status == 401);
  f.setUp();
  CHECK(f.call("GET", "/api/status").status == 200);
  f.daemon.probeToReturn.error = "timeout";
  CHECK(f.call("POST", "/api/probe", {{"address", "192.0.2.7"}}, false).status == 403);
  CHECK(f.daemon.probeCalls.empty());
  CHECK(f.call("POST", "/api/probe", {{"address", "192.0.2.7"}}).status == 502);
  CHECK(f.daemon.probeCalls == std::vector<std::string>{"192.0.2.7"});
  f.clock.advance(30min);
  CHECK(f.call("GET", "/api/status").status == 401);
}

TEST_CASE("local UI API: status, devices, probe, read now and log in the app's shapes") {
  Fixture f;
  f.setUp();
  f.daemon.stateToReturn.enrolled = true;
  f.daemon.stateToReturn.clientId = "42";
  f.daemon.stateToReturn.outboxCount = 3;
  f.daemon.stateToReturn.carriers.push_back({"xmlrpc", "xmlrpcs://s:52004", f.clock.now(), {}, ""});
  f.daemon.stateToReturn.warnings.push_back({"outbox_filling", "90 %"});
  const auto status = json::parse(f.call("GET", "/api/status").body);
  CHECK(status["enrolled"] == true);
  CHECK(status["collector_id"] == "42");
  CHECK(status["outbox"]["count"] == 3);
  CHECK(status["carriers"][0]["carrier"] == "xmlrpc");
  CHECK(status["carriers"][0]["last_success_at"].is_string());
  CHECK(status["warnings"][0]["code"] == "outbox_filling");

  model::Reading reading;
  reading.identity.manufacturer = "HP";
  reading.identity.serial = "CN123";
  reading.counters["total"] = 1234;
  model::Supply toner;
  toner.index = 1;
  toner.description = "Black Toner";
  toner.levelPercent = 40;
  reading.supplies.push_back(toner);
  daemon::DeviceState device;
  device.address = "192.0.2.5";
  device.condition = daemon::DeviceCondition::kOk;
  device.lastReading = reading;
  f.daemon.devicesToReturn.push_back(device);
  const auto devices = json::parse(f.call("GET", "/api/devices").body);
  CHECK(devices["items"][0]["state"] == "ok");
  CHECK(devices["items"][0]["counters"]["total"] == 1234);
  CHECK(devices["items"][0]["supplies"][0]["level_percent"] == 40);

  f.daemon.probeToReturn.reading = reading;
  const auto probed = json::parse(f.call("POST", "/api/probe", {{"address", "192.0.2.5"}}).body);
  CHECK(probed["serial"] == "CN123");
  CHECK(f.call("POST", "/api/devices/192.0.2.5/read").status == 202);
  CHECK(f.call("POST", "/api/devices/192.0.2.9/read").status == 404);
  f.daemon.logToReturn.push_back({f.clock.now(), util::LogLevel::kWarning, "hello"});
  CHECK(json::parse(f.call("GET", "/api/log").body)["items"][0]["level"] == "warning");
}

TEST_CASE("local UI API: static files, security headers, refusals as problem+json") {
  Fixture f;
  const auto index = f.call("GET", "/");
  CHECK(index.body == "<html></html>");
  CHECK_THAT(index.contentType, Catch::StartsWith("text/html"));
  CHECK(header(index, "X-Content-Type-Options") == "nosniff");
  CHECK(header(index, "Access-Control-Allow-Origin").empty());
  CHECK(f.call("GET", "/assets/app.js").contentType == "text/javascript; charset=utf-8");
  CHECK(f.call("GET", "/../etc/passwd").status == 404);
  Request foreign;
  foreign.facts = RequestFacts{"GET", "evil.example", "127.0.0.1", "127.0.0.1", false, 0};
  foreign.path = "/";
  const auto refused = f.api.handle(foreign);
  CHECK(refused.status == 421);
  CHECK(refused.contentType == "application/problem+json");
  CHECK_THAT(header(refused, "Content-Security-Policy"), Catch::Contains("frame-ancestors 'none'"));
}

TEST_CASE("local UI API: the sent-envelope log and one envelope's content") {
  Fixture f;
  f.setUp();
  CHECK(f.call("GET", "/api/envelopes").status == 503);
  client::test::MockSentEnvelopeLog log;
  f.api.setEnvelopeLog(&log);
  outbox::SentEnvelope sent;
  sent.sentAt = f.clock.now();
  sent.carrier = "https";
  sent.server = "https://mps.example.net";
  sent.readings = 2;
  const auto id = log.add(sent, R"({"readings":[{"serial":"CN1"},{"serial":"CN2"}]})");
  const auto list = json::parse(f.call("GET", "/api/envelopes").body);
  CHECK(list["items"][0]["id"] == std::to_string(id));
  CHECK(list["items"][0]["carrier"] == "https");
  CHECK(list["items"][0]["readings"] == 2);
  const auto one = json::parse(f.call("GET", "/api/envelopes/" + std::to_string(id)).body);
  CHECK(one["content"]["readings"][1]["serial"] == "CN2");
  CHECK(one["envelope"]["server"] == "https://mps.example.net");
  CHECK(f.call("GET", "/api/envelopes/999").status == 404);
  CHECK(f.call("GET", "/api/envelopes/x1").status == 400);
}

namespace {

config::ConfigView officeView() {
  config::ConfigView view;
  view.networks.push_back({"office", {"192.168.10.0/24"}, {"192.168.10.1"}, {"public"}, 161});
  view.credentials.push_back({"public", "2c", "", "", "", "", true});
  view.intervals = {"24h", "24h", "5m"};
  view.carrier.proxy = "http://proxy.example:3128";
  view.carrier.sendInterval = "15m";
  view.carrier.smtp = {true, "mail.example.net",     587, "starttls", "printers",
                       true, "printers@example.net", ""};
  return view;
}

}  // namespace

TEST_CASE("local UI API: settings in the file's names, never a secret") {
  Fixture f;
  f.setUp();
  CHECK(f.call("GET", "/api/settings").status == 503);
  client::test::MockClientSetup setup;
  setup.viewToReturn = officeView();
  f.api.setClientSetup(&setup);
  const auto answer = f.call("GET", "/api/settings");
  REQUIRE(answer.status == 200);
  const auto body = json::parse(answer.body);
  CHECK(body["networks"][0]["ranges"][0] == "192.168.10.0/24");
  CHECK(body["networks"][0]["exclude"][0] == "192.168.10.1");
  CHECK(body["credentials"][0]["secret_set"] == true);
  CHECK_FALSE(body["credentials"][0].contains("community"));
  CHECK(body["intervals"]["status"] == "5m");
  CHECK(body["carrier"]["proxy"] == "http://proxy.example:3128");
  CHECK(body["carrier"]["send_interval"] == "15m");
  CHECK(body["carrier"]["smtp"]["server"] == "mail.example.net");
  CHECK(body["carrier"]["smtp"]["password_set"] == true);
  CHECK_FALSE(body["carrier"]["smtp"].contains("password"));
}

TEST_CASE("local UI API: the carrier settings: proxy, send interval, e-mail route") {
  Fixture f;
  f.setUp();
  client::test::MockClientSetup setup;
  setup.viewToReturn = officeView();
  setup.applyToReturn.config = std::make_shared<const config::ClientConfig>();
  f.api.setClientSetup(&setup);
  const json change{{"carrier",
                     {{"proxy", ""},
                      {"send_interval", "5m"},
                      {"smtp",
                       {{"server", "smtp.example.org"},
                        {"port", 465},
                        {"tls", "implicit"},
                        {"password", "mail-s3cret"},
                        {"from", "mps@example.org"}}}}}};
  const auto answer = f.call("PATCH", "/api/settings", change);
  REQUIRE(answer.status == 200);
  REQUIRE(setup.changes.size() == 1);
  const auto& c = setup.changes[0];
  CHECK(c.proxy == "");
  CHECK(c.sendInterval == "5m");
  REQUIRE(c.smtp);
  CHECK(c.smtp->server == "smtp.example.org");
  CHECK(c.smtp->port == 465);
  CHECK(c.smtp->password->reveal() == "mail-s3cret");
  CHECK_FALSE(c.smtp->to);
  CHECK(answer.body.find("mail-s3cret") == std::string::npos);
  // An empty password keeps the one set; a port out of range is named.
  CHECK(f.call("PATCH", "/api/settings", {{"carrier", {{"smtp", {{"password", ""}}}}}}).status ==
        200);
  CHECK_FALSE(setup.changes.back().smtp->password);
  const auto bad = f.call("PATCH", "/api/settings", {{"carrier", {{"smtp", {{"port", 0}}}}}});
  CHECK(bad.status == 400);
  CHECK(json::parse(bad.body)["invalid_params"][0]["name"] == "carrier.smtp.port");
}

TEST_CASE("local UI API: a settings change is saved, then applied to the running daemon") {
  Fixture f;
  f.setUp();
  client::test::MockClientSetup setup;
  setup.viewToReturn = officeView();
  setup.applyToReturn.config = std::make_shared<const config::ClientConfig>();
  f.api.setClientSetup(&setup);
  const json change{{"networks", {{{"name", "office"}, {"ranges", {"10.1.0.0/24"}}}}},
                    {"credentials", {{{"name", "public"}, {"community", "s3cret-community"}}}},
                    {"intervals", {{"meter", "12h"}}}};
  CHECK(f.call("PATCH", "/api/settings", change, false).status == 403);  // no CSRF token
  CHECK(setup.changes.empty());
  const auto answer = f.call("PATCH", "/api/settings", change);
  REQUIRE(answer.status == 200);
  REQUIRE(setup.changes.size() == 1);
  const auto& applied = setup.changes[0];
  REQUIRE(applied.networks);
  CHECK((*applied.networks)[0].ranges == std::vector<std::string>{"10.1.0.0/24"});
  REQUIRE(applied.credentials.size() == 1);
  CHECK(applied.credentials[0].community->reveal() == "s3cret-community");
  CHECK(applied.meterInterval == "12h");
  CHECK_FALSE(applied.statusInterval);
  REQUIRE(f.daemon.appliedConfigs.size() == 1);
  CHECK(f.daemon.appliedConfigs[0] == setup.applyToReturn.config);
  CHECK(answer.body.find("s3cret") == std::string::npos);
}

TEST_CASE("local UI API: a wrong setting names its field; nothing reaches the daemon") {
  Fixture f;
  f.setUp();
  client::test::MockClientSetup setup;
  f.api.setClientSetup(&setup);
  const auto fieldOf = [&f](const json& body) {
    const auto answer = f.call("PATCH", "/api/settings", body);
    CHECK(answer.status == 400);
    CHECK(answer.contentType == "application/problem+json");
    return json::parse(answer.body)["invalid_params"][0]["name"].get<std::string>();
  };
  CHECK(fieldOf({{"networks", {{{"name", "x"}, {"ranges", {"10.0.0.1", 7}}}}}}) ==
        "networks[0].ranges[1]");
  CHECK(fieldOf({{"networks", {{{"name", "x"}}}}}) == "networks[0].ranges");
  CHECK(fieldOf({{"networks", {{{"ranges", json::array()}, {"port", 70000}}}}}) ==
        "networks[0].port");
  CHECK(fieldOf({{"credentials", {{{"community", "x"}}}}}) == "credentials[0].name");
  CHECK(fieldOf({{"intervals", {{"meter", 3}}}}) == "intervals.meter");
  CHECK(fieldOf({{"data_dir", "/tmp"}}) == "data_dir");
  CHECK(fieldOf(json::object()) == "body");
  CHECK(setup.changes.empty());

  // The loader's own verdict on a change that parses: its path and reason.
  setup.applyToReturn.error = "client.yaml:3:14: networks[0].ranges[0]: host bits are set";
  setup.applyToReturn.field = "networks[0].ranges[0]";
  setup.applyToReturn.reason = "host bits are set";
  CHECK(fieldOf({{"networks", {{{"name", "x"}, {"ranges", {"10.1.2.3/24"}}}}}}) ==
        "networks[0].ranges[0]");
  CHECK(f.daemon.appliedConfigs.empty());
}

TEST_CASE("local UI API: enrolling stores the string, then the daemon starts sending") {
  Fixture f;
  f.setUp();
  client::test::MockClientSetup setup;
  f.api.setClientSetup(&setup);
  setup.enrollToReturn.error = "the enrollment string is not usable: bad prefix";
  auto answer = f.call("POST", "/api/enrollment", {{"enrollment", "nonsense"}});
  CHECK(answer.status == 400);
  CHECK(json::parse(answer.body)["invalid_params"][0]["name"] == "enrollment");
  CHECK(f.call("POST", "/api/enrollment", {{"other", 1}}).status == 400);
  CHECK(f.daemon.appliedEnrollments.empty());

  envelope::Enrollment enrollment;
  enrollment.clientId = 77;
  setup.enrollToReturn = {enrollment, ""};
  f.daemon.stateToReturn.enrolled = true;
  f.daemon.stateToReturn.clientId = "77";
  answer = f.call("POST", "/api/enrollment", {{"enrollment", "omps1:abc"}});
  REQUIRE(answer.status == 200);
  CHECK(setup.enrolled.back() == "omps1:abc");
  REQUIRE(f.daemon.appliedEnrollments.size() == 1);
  CHECK(f.daemon.appliedEnrollments[0].clientId == 77);
  CHECK(json::parse(answer.body)["collector_id"] == "77");

  // Stored, but the running daemon cannot switch (batches of the former client).
  f.daemon.applyToReturn = {false, "sealed batches of client 5 are still waiting"};
  answer = f.call("POST", "/api/enrollment", {{"enrollment", "omps1:abc"}});
  CHECK(answer.status == 409);
}

TEST_CASE("local UI API: every change without the CSRF token is refused before it acts") {
  Fixture f;
  f.setUp();
  client::test::MockClientSetup setup;
  f.api.setClientSetup(&setup);
  const std::vector<std::pair<std::string, std::string>> changes{
      {"POST", "/api/probe"},
      {"POST", "/api/devices/192.0.2.7/read"},
      {"PATCH", "/api/settings"},
      {"POST", "/api/enrollment"},
      {"DELETE", "/api/session"}};
  const json body = {{"address", "192.0.2.7"}, {"enrollment", "omps1:abc"}};
  for (const auto& [method, path] : changes) {
    INFO(method << " " << path);
    const auto answer = f.call(method, path, body, false);
    CHECK(answer.status == 403);
    CHECK(answer.contentType == "application/problem+json");
  }
  CHECK(f.daemon.probeCalls.empty());
  CHECK(f.daemon.readNowCalls.empty());
  CHECK(f.daemon.appliedConfigs.empty());
  CHECK(f.daemon.appliedEnrollments.empty());
  CHECK(setup.changes.empty());
  CHECK(setup.enrolled.empty());
  // The session survived the refused sign-out.
  CHECK(f.call("GET", "/api/status").status == 200);
}

TEST_CASE("local UI API: a body over the limit is refused with 413 on every route") {
  Fixture f;
  f.setUp();
  client::test::MockClientSetup setup;
  f.api.setClientSetup(&setup);
  const std::vector<std::pair<std::string, std::string>> routes{
      {"POST", "/api/setup"},     {"POST", "/api/session"},
      {"POST", "/api/probe"},     {"POST", "/api/devices/192.0.2.7/read"},
      {"PATCH", "/api/settings"}, {"POST", "/api/enrollment"}};
  for (const auto& [method, path] : routes) {
    INFO(method << " " << path);
    Request request;
    request.facts =
        RequestFacts{method, "127.0.0.1:52005", "127.0.0.1", "127.0.0.1", false, kMaxBodyBytes + 1};
    request.path = path;
    request.cookieHeader = f.cookie;
    request.csrfHeader = f.csrf;
    const auto answer = f.api.handle(request);
    CHECK(answer.status == 413);
    CHECK(answer.contentType == "application/problem+json");
  }
  CHECK(f.daemon.probeCalls.empty());
  CHECK(f.daemon.readNowCalls.empty());
  CHECK(setup.changes.empty());
  CHECK(setup.enrolled.empty());
}
