#include "client/daemon/sweep_plan.hpp"

#include <catch2/catch.hpp>

using namespace openmps;
using namespace openmps::client;
using namespace openmps::client::daemon;
using namespace std::chrono_literals;

namespace {

config::ClientConfig office() {
  return config::parseConfig(
      "snmp: {timeout_ms: 900, retries: 2, concurrency: 64}\n"
      "credentials:\n"
      "  - {name: public, version: 2c, community: public}\n"
      "  - {name: office, version: 2c, community: office}\n"
      "networks:\n"
      "  - name: head office\n"
      "    ranges: [192.168.1.0/24, 192.168.2.10-192.168.2.20, printer-3.example.lan]\n"
      "    exclude: [192.168.1.1, 192.168.1.200-192.168.1.254]\n"
      "    credentials: [office, public]\n"
      "    port: 1161\n",
      "client.yaml", ".");
}

discovery::FoundDevice found(std::string address, std::string serial, std::string mac,
                             bool printer = true) {
  discovery::FoundDevice d;
  d.address = std::move(address);
  d.serial = std::move(serial);
  d.mac = std::move(mac);
  d.printer = printer;
  return d;
}

}  // namespace

TEST_CASE("a network's sweep covers its ranges less its exclusions, names apart") {
  const auto cfg = office();
  const auto plan = planNetworkSweep(cfg, cfg.networks.at(0));
  // 192.168.1.1-254 less .1 and .200-.254, plus 11 addresses.
  CHECK(plan.addresses.size() == 254 - 1 - 55 + 11);
  CHECK_FALSE(plan.addresses.contains(*discovery::parseIpv4("192.168.1.1")));
  CHECK(plan.addresses.contains(*discovery::parseIpv4("192.168.1.2")));
  CHECK_FALSE(plan.addresses.contains(*discovery::parseIpv4("192.168.1.200")));
  CHECK(plan.addresses.contains(*discovery::parseIpv4("192.168.2.20")));
  CHECK(plan.hosts == std::vector<std::string>{"printer-3.example.lan"});
  REQUIRE(plan.options.credentials.size() == 2);
  CHECK(plan.options.credentials[0].name == "office");
  CHECK(plan.options.credentials[1].name == "public");
  CHECK(plan.options.port == 1161);
  CHECK(plan.options.timeout == 900ms);
  CHECK(plan.options.retries == 2);
  CHECK(plan.options.concurrency == 64);
}

TEST_CASE("a sweep keeps each printer once, at the address it was found first") {
  const std::vector<discovery::FoundDevice> earlier{found("10.0.0.5", "SN1", "")};
  const auto fresh =
      freshPrinters({found("10.1.0.5", "SN1", "aa:aa:aa:aa:aa:01"),
                     found("10.1.0.6", "", "aa:aa:aa:aa:aa:02"), found("10.1.0.7", "", "", false)},
                    earlier);
  REQUIRE(fresh.size() == 1);
  CHECK(fresh[0].address == "10.1.0.6");

  const auto again = freshPrinters({found("10.2.0.6", "", "aa:aa:aa:aa:aa:02")}, fresh);
  CHECK(again.empty());
}
