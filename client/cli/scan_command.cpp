// openmps-client scan RANGE...: one discovery sweep, printing the printers
// and scanners the daemon would read (and with --all the other devices),
// each with the device definition that identified it.
#include <chrono>
#include <cstdio>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include <netdb.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include "client/cli/commands.hpp"
#include "client/discovery/address_range.hpp"
#include "client/discovery/sweep.hpp"
#include "client/pmd/pmd_dir.hpp"
#include "client/snmp/credential_options.hpp"
#include "client/snmp/net_snmp_client.hpp"
#include "shared/pmd/catalog.hpp"
#include "shared/util/args.hpp"

namespace openmps::client::cli {
namespace {

constexpr int kExitBadDefinitions = 5;

using discovery::CredentialSet;
using discovery::FoundDevice;

std::vector<util::OptionSpec> scanOptions() {
  auto specs = snmp::snmpOptionSpecs();
  for (auto& s : specs) {
    if (s.name == "community") {
      s.help = "community for v1/v2c (repeatable, tried in order; default public)";
    }
  }
  specs.push_back({"port", true, "N", "UDP port (default 161)"});
  specs.push_back({"concurrency", true, "N", "addresses asked at once (default 512)"});
  specs.push_back({"all", false, "", "list devices that are not printers or scanners too"});
  specs.push_back({"pmd-dir", true, "DIR", "device definitions (default: the built-in ones)"});
  specs.push_back({"json", false, "", "print the result as JSON"});
  specs.push_back({"help", false, "", "show this help"});
  return specs;
}

// The credential sets in the order they are tried: the SNMPv3 user first
// (a v3 answer is never a guess), then each community as given.
std::vector<CredentialSet> credentialSets(std::span<const std::string> args,
                                          const util::ParsedArgs& parsed,
                                          std::span<const util::OptionSpec> specs) {
  std::vector<CredentialSet> sets;
  const auto communities = parsed.all("community");
  const bool v3 = parsed.has("user") || parsed.getOr("snmp-version", "") == "3";
  if (v3) {
    // Parse the v3 options alone: --community belongs to the other sets.
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (args[i] == "--community") {
        ++i;
        continue;
      }
      if (args[i].starts_with("--community=")) {
        continue;
      }
      rest.push_back(args[i]);
    }
    auto c = snmp::credentialsFromArgs(util::parseArgs(rest, specs));
    sets.push_back({c.describe(), c});
  }
  if (!v3 || !communities.empty()) {
    const auto version =
        parsed.getOr("snmp-version", "2c") == "1" ? snmp::Version::kV1 : snmp::Version::kV2c;
    const std::vector<std::string> list =
        communities.empty() ? std::vector<std::string>{"public"} : communities;
    for (std::size_t i = 0; i < list.size(); ++i) {
      snmp::Credentials c;
      c.version = version;
      c.community = util::Secret(list[i]);
      // The name is shown and stored; the community itself is a secret.
      std::string name = version == snmp::Version::kV1 ? "v1" : "v2c";
      if (list.size() > 1) {
        name += " community #" + std::to_string(i + 1);
      }
      sets.push_back({name, c});
    }
  }
  return sets;
}

// Host names are resolved now, once per sweep; IPv4 answers join the set.
void addTarget(const discovery::RangeSpec& spec, discovery::AddressSet& set,
               std::vector<std::string>& hosts) {
  if (spec.kind == discovery::RangeSpec::Kind::kInterval) {
    set.add(spec.first, spec.last);
    return;
  }
  if (spec.host.find(':') != std::string::npos) {
    hosts.push_back(spec.host);  // an IPv6 literal
    return;
  }
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(spec.host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    std::fprintf(stderr, "openmps-client scan: cannot resolve '%s', skipped\n", spec.host.c_str());
    return;
  }
  for (auto* ai = found; ai != nullptr; ai = ai->ai_next) {
    char text[64] = {};
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) ==
        0) {
      if (auto v4 = discovery::parseIpv4(text)) {
        set.add(*v4, *v4);
      }
    }
  }
  freeaddrinfo(found);
}

std::string orDash(const std::string& text) {
  return text.empty() ? "-" : text;
}

nlohmann::json toJson(const FoundDevice& d) {
  return {{"address", d.address},
          {"port", d.port},
          {"printer", d.printer},
          {"kind", pmd::toString(d.kind)},
          {"pmd", d.pmd},
          {"credential", d.credential},
          {"serial", d.serial},
          {"mac", d.mac},
          {"sys_descr", d.sysDescr},
          {"sys_object_id", d.sysObjectId},
          {"sys_name", d.sysName},
          {"printer_name", d.printerName},
          {"also_at", d.alsoAt}};
}

}  // namespace

int scanCommand(std::span<const std::string> args) {
  const auto specs = scanOptions();
  const auto parsed = util::parseArgs(args, specs);
  if (parsed.has("help")) {
    std::printf(
        "usage: openmps-client scan RANGE... [options]\n"
        "RANGE is 10.0.0.0/24, 10.0.0.5-10.0.0.80, an address or a host name.\n"
        "Lists the printers and scanners that answer, each with the device definition\n"
        "that identified it (with --all every SNMP device, the others as 'other').\n\n%s",
        util::formatOptions(specs).c_str());
    return 0;
  }
  if (parsed.positional().empty()) {
    throw util::UsageError("give at least one RANGE (for example 192.168.1.0/24)");
  }
  discovery::AddressSet set;
  std::vector<std::string> hosts;
  for (const auto& text : parsed.positional()) {
    try {
      addTarget(discovery::parseRange(text), set, hosts);
    } catch (const discovery::RangeError& e) {
      throw util::UsageError(e.what());
    }
  }
  discovery::SweepOptions options;
  options.credentials = credentialSets(args, parsed, specs);
  snmp::Target timing;
  snmp::applyTimingArgs(parsed, timing);
  options.timeout = timing.timeout;
  options.retries = timing.retries;
  options.port = static_cast<std::uint16_t>(parsed.intOr("port", 161, 1, 65535));
  options.concurrency = static_cast<std::size_t>(parsed.intOr("concurrency", 512, 1, 10000));
  const bool json = parsed.has("json");
  const bool all = parsed.has("all");
  const std::filesystem::path pmdDir =
      parsed.has("pmd-dir") ? std::filesystem::path(*parsed.get("pmd-dir")) : pmd::defaultPmdDir();
  std::optional<openmps::pmd::Catalog> catalog;
  try {
    catalog = openmps::pmd::Catalog::loadDirectory(pmdDir);
  } catch (const openmps::pmd::PmdError& e) {
    std::fprintf(stderr, "openmps-client scan: device definitions: %s\n", e.what());
    return kExitBadDefinitions;
  }
  const bool showProgress = isatty(STDERR_FILENO) == 1;

  snmp::NetSnmpClient::Options clientOptions;
  clientOptions.maxInFlight = options.concurrency;
  // A sweep asks each device once: its socket can go as soon as it is done.
  clientOptions.sessionIdle = std::chrono::milliseconds(0);
  snmp::NetSnmpClient client(clientOptions);

  const auto started = std::chrono::steady_clock::now();
  std::promise<discovery::SweepResult> promise;
  auto future = promise.get_future();
  auto lastPrint = std::chrono::steady_clock::time_point{};
  discovery::runSweep(
      client, *catalog, set, hosts, options,
      [&](const discovery::SweepProgress& p) {
        if (!showProgress) {
          return;
        }
        const auto now = std::chrono::steady_clock::now();
        if (p.done != p.total && now - lastPrint < std::chrono::milliseconds(100)) {
          return;
        }
        lastPrint = now;
        std::fprintf(stderr, "\rscanned %llu/%llu, %llu answered, %llu printers or scanners ",
                     static_cast<unsigned long long>(p.done),
                     static_cast<unsigned long long>(p.total),
                     static_cast<unsigned long long>(p.answered),
                     static_cast<unsigned long long>(p.printers));
      },
      [&](discovery::SweepResult r) { promise.set_value(std::move(r)); });
  auto result = future.get();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (showProgress) {
    std::fprintf(stderr, "\n");
  }
  std::size_t printers = 0;
  for (const auto& d : result.devices) {
    if (d.printer) {
      ++printers;
    }
  }
  if (json) {
    nlohmann::json out;
    out["probed"] = result.probed;
    out["answered"] = result.answered;
    out["refused"] = result.refused;
    out["printers"] = printers;
    out["elapsed_s"] = elapsed;
    out["devices"] = nlohmann::json::array();
    for (const auto& d : result.devices) {
      if (d.printer || all) {
        out["devices"].push_back(toJson(d));
      }
    }
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  for (const auto& d : result.devices) {
    if (!d.printer && !all) {
      continue;
    }
    char kind[16];
    std::snprintf(kind, sizeof kind, "%-7s", pmd::toString(d.kind));
    std::string line = d.address + "  " + kind + "  " + (d.printer ? d.pmd : "-") + "  " +
                       orDash(d.serial) + "  " + orDash(d.mac) + "  " + d.credential + "  " +
                       orDash(d.sysDescr.substr(0, 60));
    if (!d.alsoAt.empty()) {
      line += "  (also at";
      for (const auto& a : d.alsoAt) {
        line += " " + a;
      }
      line += ")";
    }
    std::printf("%s\n", line.c_str());
  }
  std::printf("%llu addresses asked in %.1f s: %llu answered, %zu printers or scanners",
              static_cast<unsigned long long>(result.probed), elapsed,
              static_cast<unsigned long long>(result.answered), printers);
  if (result.refused > 0) {
    std::printf(", %llu refused our SNMPv3 credentials",
                static_cast<unsigned long long>(result.refused));
  }
  std::printf("\n");
  return 0;
}

}  // namespace openmps::client::cli
