// The carrier.smtp section of the client configuration (client/config).
#include <functional>

#include <catch2/catch.hpp>

#include "client/config/client_config.hpp"

using openmps::client::config::ClientConfig;
using openmps::client::config::ConfigError;
using openmps::client::config::parseConfig;

namespace {

ClientConfig parse(const std::string& yaml) {
  return parseConfig(yaml, "client.yaml", "/etc/openmps");
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("no ConfigError thrown");
  return "";
}

}  // namespace

TEST_CASE("carrier.smtp is read with its defaults", "[smtp-config]") {
  const auto none = parse("");
  CHECK_FALSE(none.carrier.smtp.configured);

  const auto cfg = parse(
      "carrier:\n  smtp:\n    server: mail.customer.example\n    user: printers\n"
      "    password: s3cret-pw\n    from: printers@customer.example\n    ca_file: ca.pem\n");
  const auto& smtp = cfg.carrier.smtp;
  CHECK(smtp.configured);
  CHECK(smtp.server == "mail.customer.example");
  CHECK(smtp.port == 587);
  CHECK_FALSE(smtp.implicitTls);
  CHECK(smtp.user == "printers");
  CHECK(smtp.password.reveal() == "s3cret-pw");
  CHECK(smtp.from == "printers@customer.example");
  CHECK(smtp.to.empty());
  CHECK(smtp.caFile == "/etc/openmps/ca.pem");

  const auto implicit = parse(
      "carrier:\n  smtp:\n    server: m\n    tls: implicit\n    from: a@b.example\n"
      "    to: inbox@dealer.example\n");
  CHECK(implicit.carrier.smtp.implicitTls);
  CHECK(implicit.carrier.smtp.port == 465);
  CHECK(implicit.carrier.smtp.to == "inbox@dealer.example");
}

TEST_CASE("carrier.smtp errors name the line and the field", "[smtp-config]") {
  CHECK(errorOf([] {
          parse("carrier:\n  smtp:\n    from: a@b.example\n");
        }).find("carrier.smtp: server is missing") != std::string::npos);
  CHECK(errorOf([] { parse("carrier:\n  smtp:\n    server: m\n"); }).find("from is missing") !=
        std::string::npos);
  CHECK(errorOf([] {
          parse("carrier:\n  smtp:\n    server: m\n    from: a@b.example\n    tls: ssl\n");
        }).starts_with("client.yaml:5:10: carrier.smtp.tls: expected starttls"));
  CHECK(errorOf([] {
          parse("carrier:\n  smtp:\n    server: m\n    from: not-an-address\n");
        }).find("carrier.smtp.from: expected a plain e-mail address") != std::string::npos);
  CHECK(errorOf([] {
          parse("carrier:\n  smtp:\n    server: m\n    from: a@b.example\n    password: x\n");
        }).find("carrier.smtp.password: set user too") != std::string::npos);
  CHECK(errorOf([] {
          parse("carrier:\n  smtp:\n    server: m\n    from: a@b.example\n    colour: red\n");
        }).find("unknown key") != std::string::npos);
}
