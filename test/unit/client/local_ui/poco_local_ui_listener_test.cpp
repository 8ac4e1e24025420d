#include "client/local_ui/poco_local_ui_listener.hpp"

#include <filesystem>
#include <sstream>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <catch2/catch.hpp>
#include <unistd.h>

#include "../mock_daemon_control.hpp"

using namespace openmps;
using namespace openmps::client;
using namespace openmps::client::local_ui;

namespace {

struct Exchange {
  int status = 0;
  std::string body;
  std::string csp;
};

Exchange get(std::uint16_t port, const std::string& path, const std::string& host) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  request.setHost(host);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  auto& in = session.receiveResponse(response);
  std::ostringstream body;
  body << in.rdbuf();
  return {static_cast<int>(response.getStatus()), body.str(),
          response.get("Content-Security-Policy", "")};
}

}  // namespace

TEST_CASE("local UI listener: serves over loopback, refuses a foreign Host header") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("openmps-local-ui-listener-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  util::ManualClock clock;
  client::test::MockDaemonControl daemon;
  PasswordFile password(dir / "p", PasswordCost{1, 8192});
  SetupCode code("ABCD-EFGH-JKMN");
  SignInGate gate(clock, SignInPolicy{}, [] { return randomToken(); });
  const StaticFiles files{{"/index.html", "<html>ui</html>"}};
  LocalUiApi api(daemon, password, code, gate, files, false);
  {
    PocoLocalUiListener listener(ListenOptions{"127.0.0.1", 0, false, {}, {}}, api);
    REQUIRE(listener.port() != 0);
    const auto index = get(listener.port(), "/", "127.0.0.1:" + std::to_string(listener.port()));
    CHECK(index.status == 200);
    CHECK(index.body == "<html>ui</html>");
    CHECK_THAT(index.csp, Catch::Contains("frame-ancestors 'none'"));
    CHECK(get(listener.port(), "/api/session", "localhost").body == R"({"state":"setup"})");
    const auto foreign = get(listener.port(), "/", "rebound.example");
    CHECK(foreign.status == 421);
    CHECK_THAT(foreign.body, Catch::Contains("Host"));
  }
  std::filesystem::remove_all(dir);
}
