#pragma once

#include <string>
#include <vector>

#include "client/config/client_config.hpp"
#include "client/discovery/address_range.hpp"
#include "client/discovery/sweep.hpp"

// What one network's sweep covers and how, and what it adds to the sweep
// so far. Pure: the collector runs the sweep over the SNMP seam.
namespace openmps::client::daemon {

struct NetworkSweep {
  discovery::AddressSet addresses;  // the ranges less the exclusions
  std::vector<std::string> hosts;   // names, resolved when the sweep runs
  discovery::SweepOptions options;
};

NetworkSweep planNetworkSweep(const config::ClientConfig& config, const config::Network& network);

// What the sweeps of a configuration cover, one line per network (ranges,
// exclusions, credential sets, port): a configuration applied while running
// is swept at once when this differs.
std::vector<std::string> sweepCovers(const config::ClientConfig& config);

// The printers of one network's result that an earlier network of the same
// sweep has not found already (overlapping ranges, a box with two
// interfaces stays at the address found first), each once.
std::vector<discovery::FoundDevice> freshPrinters(
    std::vector<discovery::FoundDevice> found, const std::vector<discovery::FoundDevice>& earlier);

}  // namespace openmps::client::daemon
