#include "client/local_ui/local_ui_service.hpp"

#include <filesystem>

#include <catch2/catch.hpp>
#include <unistd.h>

#include "../mock_daemon_control.hpp"

using namespace openmps;
using namespace openmps::client;
using namespace openmps::client::local_ui;

TEST_CASE(
    "local UI service: starts on loopback, refuses another address or TLS files naming the key") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("openmps-local-ui-service-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  util::ManualClock clock;
  client::test::MockDaemonControl daemon;
  LocalUiSettings settings;
  settings.port = 0;
  settings.passwordFile = dir / "local-ui.password";
  {
    LocalUiService service(settings, daemon, clock);
    CHECK(service.port() != 0);
  }
  settings.listen = "0.0.0.0";
  CHECK_THROWS_WITH(LocalUiService(settings, daemon, clock),
                    Catch::Contains("local_ui.allow_remote"));
  settings.allowRemote = true;
  CHECK_THROWS_WITH(LocalUiService(settings, daemon, clock), Catch::Contains("local_ui.tls.cert"));
  settings.tlsCert = (dir / "absent.crt").string();
  settings.tlsKey = (dir / "absent.key").string();
  CHECK_THROWS_WITH(LocalUiService(settings, daemon, clock),
                    Catch::Contains("local_ui.tls.cert: ") && Catch::Contains("no such file"));
  settings.listen = "127.0.0.1";
  settings.tlsKey.clear();
  CHECK_THROWS_WITH(LocalUiService(settings, daemon, clock),
                    Catch::Contains("local_ui.tls.key: required with local_ui.tls.cert"));
  std::filesystem::remove_all(dir);
}
