// openmps-client probe HOST[:PORT]: read one device through the PMD engine
// and print its record (the shared JSON form with --json).
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "client/cli/commands.hpp"
#include "client/pmd/device_reader.hpp"
#include "client/pmd/pmd_dir.hpp"
#include "client/snmp/credential_options.hpp"
#include "client/snmp/net_snmp_client.hpp"
#include "shared/model/reading_json.hpp"
#include "shared/pmd/catalog.hpp"
#include "shared/util/args.hpp"

namespace openmps::client::cli {
namespace {

// Exit codes: 0 read, 1 no answer or SNMP failure, 2 usage, 4 not a
// printer, 5 the definitions are broken.
constexpr int kExitReadFailed = 1;
constexpr int kExitNotAPrinter = 4;
constexpr int kExitBadDefinitions = 5;

std::vector<util::OptionSpec> probeOptions() {
  auto specs = snmp::snmpOptionSpecs();
  specs.push_back({"pmd-dir", true, "DIR", "device definitions (default: the built-in ones)"});
  specs.push_back({"json", false, "", "print the reading as JSON (the shared form)"});
  specs.push_back({"help", false, "", "show this help"});
  return specs;
}

std::string orDash(const std::string& text) {
  return text.empty() ? "-" : text;
}

void printSummary(const model::Reading& r) {
  const auto& id = r.identity;
  std::printf("%s %s (definition %s)\n", orDash(id.manufacturer).c_str(), orDash(id.model).c_str(),
              r.origin.pmd.c_str());
  std::printf("  address   %s\n", r.origin.address.c_str());
  std::printf("  serial    %s\n", orDash(id.serial).c_str());
  std::printf("  firmware  %s\n", orDash(id.firmware).c_str());
  std::printf("  mac       %s\n", orDash(id.mac).c_str());
  std::printf("  name      %s\n", orDash(id.hostName).c_str());
  std::printf("  location  %s\n", orDash(id.location).c_str());
  std::printf("counters\n");
  if (r.counters.empty()) {
    std::printf("  (none readable)\n");
  }
  for (const auto& [name, value] : r.counters) {
    std::printf("  %-22s %lld\n", name.c_str(), static_cast<long long>(value));
  }
  std::printf("supplies\n");
  if (r.supplies.empty()) {
    std::printf("  (none readable)\n");
  }
  for (const auto& s : r.supplies) {
    const std::string level =
        s.levelPercent ? std::to_string(*s.levelPercent) + " %" : std::string("?");
    std::printf("  %-40s %-12s %6s  %s%s%s\n", s.description.c_str(), s.type.c_str(), level.c_str(),
                model::toString(s.state), s.partNumber.empty() ? "" : "  part ",
                s.partNumber.c_str());
  }
  std::printf("status\n");
  std::printf("  printer %s, device %s\n", orDash(r.status.printerStatus).c_str(),
              orDash(r.status.deviceStatus).c_str());
  for (const auto& e : r.status.errors) {
    std::printf("  error   %s\n", e.c_str());
  }
  for (const auto& a : r.status.alerts) {
    std::printf("  alert   %s %s %d %s\n", a.severity.c_str(), a.group.c_str(), a.code,
                a.text.c_str());
  }
  if (!r.status.vendorCode.empty()) {
    std::printf("  vendor  %s\n", r.status.vendorCode.c_str());
  }
  const auto& c = r.capabilities;
  auto yesNo = [](const std::optional<bool>& b) { return !b ? "?" : (*b ? "yes" : "no"); };
  std::printf("capabilities\n  color %s, duplex %s, large format %s", yesNo(c.color),
              yesNo(c.duplex), yesNo(c.largeFormat));
  if (c.inputTrays) {
    std::printf(", %d input trays", *c.inputTrays);
  }
  if (c.outputTrays) {
    std::printf(", %d output trays", *c.outputTrays);
  }
  for (const auto& f : c.finishers) {
    std::printf(", %s", f.c_str());
  }
  std::printf("\n");
  for (const auto& note : r.notes) {
    std::printf("note: %s\n", note.c_str());
  }
}

}  // namespace

int probeCommand(std::span<const std::string> args) {
  const auto specs = probeOptions();
  const auto parsed = util::parseArgs(args, specs);
  if (parsed.has("help")) {
    std::printf(
        "Usage: openmps-client probe HOST[:PORT] [OPTIONS]\n\n"
        "Reads one printer over SNMP through the device definitions and prints what it\n"
        "reports. Exit status: 0 read, 1 no answer or SNMP error, 2 usage, 4 not a\n"
        "printer, 5 broken definitions.\n\nOptions:\n%s",
        util::formatOptions(specs).c_str());
    return 0;
  }
  if (parsed.positional().size() != 1) {
    throw util::UsageError("give exactly one HOST[:PORT]");
  }
  snmp::Target target;
  const auto hostPort = snmp::parseHostPort(parsed.positional().front(), 161);
  if (!hostPort) {
    throw util::UsageError("'" + parsed.positional().front() + "' is not HOST[:PORT]");
  }
  target.host = hostPort->first;
  target.port = hostPort->second;
  target.credentials = snmp::credentialsFromArgs(parsed);
  snmp::applyTimingArgs(parsed, target);

  const std::filesystem::path dir =
      parsed.has("pmd-dir") ? std::filesystem::path(*parsed.get("pmd-dir")) : pmd::defaultPmdDir();
  std::optional<openmps::pmd::Catalog> catalog;
  try {
    catalog = openmps::pmd::Catalog::loadDirectory(dir);
  } catch (const openmps::pmd::PmdError& e) {
    std::fprintf(stderr, "openmps-client probe: device definitions: %s\n", e.what());
    return kExitBadDefinitions;
  }

  snmp::NetSnmpClient client;
  pmd::DeviceReader reader(client, *catalog);
  auto outcome = reader.readAndWait(target);
  if (!outcome.ok()) {
    std::fprintf(stderr, "openmps-client probe: %s: %s\n", target.toString().c_str(),
                 outcome.message.c_str());
    return outcome.error == pmd::ReadError::kNotAPrinter ? kExitNotAPrinter : kExitReadFailed;
  }
  outcome.reading.readAt = std::chrono::system_clock::now();
  if (parsed.has("json")) {
    std::printf("%s\n", model::readingToJson(outcome.reading, 2).c_str());
  } else {
    printSummary(outcome.reading);
  }
  return 0;
}

}  // namespace openmps::client::cli
