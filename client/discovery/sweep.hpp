#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/discovery/address_range.hpp"
#include "client/pmd/engine.hpp"
#include "client/snmp/snmp_client.hpp"
#include "shared/pmd/catalog.hpp"

// One discovery sweep over address ranges, as pure logic over the SNMP
// seam: every address gets one GETNEXT packet per credential set (tried in
// order until one answers), so a silent address costs one timeout per set
// and nothing else. A device that answers gets the identification GET of
// the device reader (and a walk of hrDeviceType when its first device is
// not a printer), and client::pmd::identify() decides what it is, exactly
// as for `probe` and the daemon's reads. The same device answering on
// several addresses (serial number, else MAC) is reported once, at its
// lowest address, with the others in alsoAt.
namespace openmps::client::discovery {

struct CredentialSet {
  std::string name;  // "public", "v3-fleet", ... remembered with the device
  client::snmp::Credentials credentials;
};

struct SweepOptions {
  std::vector<CredentialSet> credentials;  // tried in order; empty: v2c "public"
  std::uint16_t port = 161;
  std::chrono::milliseconds timeout{2000};
  int retries = 1;
  std::size_t concurrency = 512;  // addresses with a request in flight
};

struct FoundDevice {
  std::string address;
  std::uint16_t port = 161;
  std::string credential;  // the name of the set that worked
  bool printer = false;    // read by the daemon: a printer or a scanner (kind)
  client::pmd::DeviceKind kind = client::pmd::DeviceKind::kOther;
  std::string pmd;  // the definition that identified it ("generic" when none matched)
  std::string sysDescr;
  std::string sysObjectId;
  std::string sysName;
  std::string printerName;
  std::string serial;
  std::string mac;  // "aa:bb:cc:dd:ee:ff", empty when unknown
  std::vector<std::string> alsoAt;
};

struct SweepProgress {
  std::uint64_t total = 0;
  std::uint64_t done = 0;
  std::uint64_t answered = 0;
  std::uint64_t printers = 0;  // printers and scanners
};

struct SweepResult {
  std::vector<FoundDevice> devices;  // printers and others, by address
  std::uint64_t probed = 0;
  std::uint64_t answered = 0;
  std::uint64_t refused = 0;  // answered only with v3 errors for every set
};

// The OIDs of the single probe packet (GETNEXT on each), exposed for tests.
const std::vector<client::snmp::Oid>& probeOids();

// Interprets a probe answer: nullopt when it names none of our objects.
struct ProbeFacts {
  std::string sysDescr;
  std::string sysObjectId;
  std::string sysName;
  std::string printerName;
  std::string serial;
  std::string mac;
  bool printerMib = false;
  bool hrPrinter = false;
  bool hrOther = false;  // hrDeviceType answered with another type
};
ProbeFacts interpretProbe(const std::vector<client::snmp::VarBind>& varbinds);
// "aa:bb:cc:dd:ee:ff" for six bytes that are not all zero; empty otherwise.
std::string formatMac(const std::string& bytes);

// Runs a sweep; done() is called once with the result, on the SNMP client's
// thread. progress() is called after each address. The sweep owns its state
// until done; catalog must outlive it.
void runSweep(client::snmp::SnmpClient& client, const openmps::pmd::Catalog& catalog,
              const AddressSet& addresses, std::vector<std::string> hosts, SweepOptions options,
              std::function<void(const SweepProgress&)> progress,
              std::function<void(SweepResult)> done);

// Merges devices that are the same box answering on several addresses.
std::vector<FoundDevice> dedupe(std::vector<FoundDevice> devices);

}  // namespace openmps::client::discovery
