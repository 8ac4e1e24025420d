// openmps-client probe HOST[:PORT]...: read devices through the PMD engine
// and print their records (the shared JSON form with --json). Several
// targets are read at once through one SNMP client; the output keeps the
// order given.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
  specs.push_back({"json", false, "",
                   "print the reading as JSON (the shared form; one line per device when "
                   "several)"});
  specs.push_back(
      {"stats", false, "", "print the SNMP requests, responses, timeouts and varbinds to stderr"});
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
    std::printf("  %-40s %-12s %6s  %s%s%s%s%s\n", s.description.c_str(), s.type.c_str(),
                level.c_str(), model::toString(s.state), s.partNumber.empty() ? "" : "  part ",
                s.partNumber.c_str(), s.serial.empty() ? "" : "  serial ", s.serial.c_str());
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

int exitCodeOf(const pmd::ReadOutcome& outcome) {
  if (outcome.ok()) {
    return 0;
  }
  return outcome.error == pmd::ReadError::kNotAPrinter ? kExitNotAPrinter : kExitReadFailed;
}

// Outcomes arrive on the SNMP client's thread in any order; the command's
// thread prints them in the order given, each as soon as those before it
// are printed.
class OutcomeSlots {
 public:
  explicit OutcomeSlots(std::size_t count) : slots_(count) {}

  void put(std::size_t index, pmd::ReadOutcome outcome) {
    const std::lock_guard<std::mutex> lock(mutex_);
    slots_[index] = std::move(outcome);
    ready_.notify_all();
  }

  pmd::ReadOutcome take(std::size_t index) {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return slots_[index].has_value(); });
    pmd::ReadOutcome out = std::move(*slots_[index]);
    slots_[index].reset();
    return out;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<std::optional<pmd::ReadOutcome>> slots_;
};

}  // namespace

int probeCommand(std::span<const std::string> args) {
  const auto specs = probeOptions();
  const auto parsed = util::parseArgs(args, specs);
  if (parsed.has("help")) {
    std::printf(
        "Usage: openmps-client probe HOST[:PORT] [HOST[:PORT]...] [OPTIONS]\n\n"
        "Reads printers over SNMP through the device definitions and prints what they\n"
        "report. Several devices are read at once and printed in the order given (with\n"
        "--json one JSON object per line, {\"address\", \"error\"} for a failed one).\n"
        "Exit status: 0 all read, 1 no answer or SNMP error, 2 usage, 4 not a printer,\n"
        "5 broken definitions (with several devices: the status of the first failure).\n\n"
        "Options:\n%s",
        util::formatOptions(specs).c_str());
    return 0;
  }
  if (parsed.positional().empty()) {
    throw util::UsageError("give at least one HOST[:PORT]");
  }
  const snmp::Credentials credentials = snmp::credentialsFromArgs(parsed);
  std::vector<snmp::Target> targets;
  targets.reserve(parsed.positional().size());
  for (const auto& text : parsed.positional()) {
    const auto hostPort = snmp::parseHostPort(text, 161);
    if (!hostPort) {
      throw util::UsageError("'" + text + "' is not HOST[:PORT]");
    }
    snmp::Target target;
    target.host = hostPort->first;
    target.port = hostPort->second;
    target.credentials = credentials;
    snmp::applyTimingArgs(parsed, target);
    targets.push_back(std::move(target));
  }

  const std::filesystem::path dir =
      parsed.has("pmd-dir") ? std::filesystem::path(*parsed.get("pmd-dir")) : pmd::defaultPmdDir();
  std::optional<openmps::pmd::Catalog> catalog;
  try {
    catalog = openmps::pmd::Catalog::loadDirectory(dir);
  } catch (const openmps::pmd::PmdError& e) {
    std::fprintf(stderr, "openmps-client probe: device definitions: %s\n", e.what());
    return kExitBadDefinitions;
  }

  const bool json = parsed.has("json");
  const bool several = targets.size() > 1;
  int status = 0;
  // The slots outlive the client, whose destructor waits for its thread.
  OutcomeSlots slots(targets.size());
  {
    snmp::NetSnmpClient client;
    pmd::DeviceReader reader(client, *catalog);
    for (std::size_t i = 0; i < targets.size(); ++i) {
      reader.read(targets[i], [&slots, i](pmd::ReadOutcome outcome) {
        outcome.reading.readAt = std::chrono::system_clock::now();
        slots.put(i, std::move(outcome));
      });
    }
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const pmd::ReadOutcome outcome = slots.take(i);
      const std::string address = targets[i].toString();
      if (!outcome.ok()) {
        std::fprintf(stderr, "openmps-client probe: %s: %s\n", address.c_str(),
                     outcome.message.c_str());
        if (status == 0) {
          status = exitCodeOf(outcome);
        }
        if (json && several) {
          const nlohmann::json line{{"address", address}, {"error", outcome.message}};
          std::printf("%s\n",
                      line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        }
      } else if (json) {
        std::printf("%s\n", model::readingToJson(outcome.reading, several ? -1 : 2).c_str());
      } else {
        if (several && i > 0) {
          std::printf("\n");
        }
        printSummary(outcome.reading);
      }
      // A pipe reader sees each device as soon as it is read.
      std::fflush(stdout);
    }
    if (parsed.has("stats")) {
      const snmp::Stats stats = client.stats();
      std::fprintf(stderr,
                   "openmps-client probe: snmp requests %llu, responses %llu, timeouts %llu, "
                   "devices %zu, varbinds %llu\n",
                   static_cast<unsigned long long>(stats.requests),
                   static_cast<unsigned long long>(stats.responses),
                   static_cast<unsigned long long>(stats.timeouts), targets.size(),
                   static_cast<unsigned long long>(stats.varbinds));
    }
  }
  return status;
}

}  // namespace openmps::client::cli
