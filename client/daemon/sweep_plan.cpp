#include "client/daemon/sweep_plan.hpp"

#include <algorithm>

namespace openmps::client::daemon {

NetworkSweep planNetworkSweep(const config::ClientConfig& config, const config::Network& network) {
  NetworkSweep out;
  for (const auto& r : network.ranges) {
    if (r.kind == discovery::RangeSpec::Kind::kHost) {
      out.hosts.push_back(r.host);
    } else {
      out.addresses.add(r.first, r.last);
    }
  }
  for (const auto& r : network.exclude) {
    if (r.kind == discovery::RangeSpec::Kind::kInterval) {
      out.addresses.remove(r.first, r.last);
    }
  }
  for (const auto index : network.credentials) {
    const auto& set = config.credentials.at(index);
    out.options.credentials.push_back({set.name, set.credentials});
  }
  out.options.port = network.port;
  out.options.timeout = config.snmp.timeout;
  out.options.retries = config.snmp.retries;
  out.options.concurrency = static_cast<std::size_t>(config.snmp.concurrency);
  return out;
}

std::vector<std::string> sweepCovers(const config::ClientConfig& config) {
  std::vector<std::string> out;
  for (const auto& n : config.networks) {
    std::string line;
    for (const auto& r : n.ranges) line += r.text + ",";
    line += "/";
    for (const auto& r : n.exclude) line += r.text + ",";
    line += "/";
    for (const auto i : n.credentials) line += config.credentials.at(i).name + ",";
    line += "/" + std::to_string(n.port);
    out.push_back(std::move(line));
  }
  return out;
}

std::vector<discovery::FoundDevice> freshPrinters(
    std::vector<discovery::FoundDevice> found, const std::vector<discovery::FoundDevice>& earlier) {
  std::vector<discovery::FoundDevice> printers;
  for (auto& d : found) {
    if (d.printer) {
      printers.push_back(std::move(d));
    }
  }
  std::vector<discovery::FoundDevice> fresh;
  for (auto& d : discovery::dedupe(std::move(printers))) {
    const bool seen = std::any_of(earlier.begin(), earlier.end(), [&d](const auto& e) {
      return (!d.serial.empty() && d.serial == e.serial) || (!d.mac.empty() && d.mac == e.mac);
    });
    if (!seen) {
      fresh.push_back(std::move(d));
    }
  }
  return fresh;
}

}  // namespace openmps::client::daemon
