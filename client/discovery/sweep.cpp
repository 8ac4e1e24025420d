#include "client/discovery/sweep.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <utility>

namespace openmps::client::discovery {

using client::snmp::ErrorKind;
using client::snmp::Oid;
using client::snmp::Result;
using client::snmp::SnmpClient;
using client::snmp::Target;
using client::snmp::VarBind;
using openmps::snmp::ValueType;

namespace {

const Oid& sysDescr() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.1.1");
  return kOid;
}
const Oid& sysObjectId() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.1.2");
  return kOid;
}
const Oid& sysName() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.1.5");
  return kOid;
}
const Oid& hrDeviceType() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.25.3.2.1.2");
  return kOid;
}
const Oid& hrDevicePrinter() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.25.3.1.5");
  return kOid;
}
const Oid& prtGeneralPrinterName() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.43.5.1.1.16");
  return kOid;
}
const Oid& prtGeneralSerialNumber() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.43.5.1.1.17");
  return kOid;
}
const Oid& prtMarkerLifeCount() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.43.10.2.1.4");
  return kOid;
}
const Oid& ifPhysAddress() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.2.2.1.6");
  return kOid;
}

std::string clean(std::string text) {
  // asText made it valid UTF-8; control characters (a device's newlines,
  // terminal escapes) have no place in a name or serial number.
  std::erase_if(text, [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != ' ') || u == 0x7F;
  });
  // Devices pad with NULs and spaces.
  while (!text.empty() && (text.back() == '\0' || text.back() == ' ' || text.back() == '\n' ||
                           text.back() == '\r' || text.back() == '\t')) {
    text.pop_back();
  }
  const auto first = text.find_first_not_of(" \t");
  return first == std::string::npos ? std::string{} : text.substr(first);
}

// The value under column when the answer stayed inside it.
const VarBind* inColumn(const std::vector<VarBind>& varbinds, std::size_t i, const Oid& column) {
  if (i >= varbinds.size()) {
    return nullptr;
  }
  const auto& vb = varbinds[i];
  if (vb.value.isException() || !column.isPrefixOf(vb.oid) || vb.oid == column) {
    return nullptr;
  }
  return &vb;
}

bool isV3Refusal(ErrorKind kind) {
  return kind == ErrorKind::kAuthFailed || kind == ErrorKind::kUnknownUser ||
         kind == ErrorKind::kDecryptionFailed || kind == ErrorKind::kUnsupportedSecurityLevel ||
         kind == ErrorKind::kUnknownContext;
}

std::tuple<int, std::uint64_t, std::string> sortKey(const std::string& address) {
  if (auto v4 = parseIpv4(address)) {
    return {0, *v4, {}};
  }
  return {1, 0, address};
}

// A device that answered, on its way through identification.
struct Candidate {
  FoundDevice device;
  std::size_t credential = 0;
  bool hrOther = false;
  client::pmd::Snapshot answers;
};

struct SweepState : std::enable_shared_from_this<SweepState> {
  SnmpClient& client;
  const openmps::pmd::Catalog& catalog;
  std::vector<Oid> identifyGets;
  SweepOptions options;
  std::function<void(const SweepProgress&)> progress;
  std::function<void(SweepResult)> done;

  std::mutex mutex;
  std::vector<Interval> intervals;
  std::size_t intervalIndex = 0;
  std::uint64_t offset = 0;
  std::vector<std::string> hosts;
  std::size_t hostIndex = 0;
  std::size_t inFlight = 0;
  SweepProgress counts;
  std::uint64_t refused = 0;
  std::vector<FoundDevice> found;
  bool finished = false;

  SweepState(SnmpClient& c, const openmps::pmd::Catalog& cat, SweepOptions o)
      : client(c),
        catalog(cat),
        identifyGets(client::pmd::planIdentify(cat).gets),
        options(std::move(o)) {}

  std::optional<std::string> nextAddress() {
    while (intervalIndex < intervals.size()) {
      const auto& iv = intervals[intervalIndex];
      const std::uint64_t size = std::uint64_t{iv.last} - iv.first + 1;
      if (offset < size) {
        return formatIpv4(static_cast<Ipv4>(iv.first + offset++));
      }
      ++intervalIndex;
      offset = 0;
    }
    if (hostIndex < hosts.size()) {
      return hosts[hostIndex++];
    }
    return std::nullopt;
  }

  Target targetFor(const std::string& address, std::size_t credential) const {
    Target t;
    t.host = address;
    t.port = options.port;
    t.timeout = options.timeout;
    t.retries = options.retries;
    t.credentials = options.credentials[credential].credentials;
    return t;
  }

  // Picks the next addresses under the lock; the requests go out after it.
  void launch() {
    std::vector<std::string> batch;
    bool complete = false;
    {
      std::lock_guard lock(mutex);
      while (inFlight < std::max<std::size_t>(1, options.concurrency)) {
        auto address = nextAddress();
        if (!address) {
          break;
        }
        ++inFlight;
        batch.push_back(std::move(*address));
      }
      complete = inFlight == 0 && !finished;
      if (complete) {
        finished = true;
      }
    }
    for (auto& address : batch) {
      probe(address, 0, false);
    }
    if (complete) {
      finish();
    }
  }

  void probe(const std::string& address, std::size_t credential, bool refusedSoFar) {
    auto self = shared_from_this();
    client.getNext(targetFor(address, credential), probeOids(),
                   [self, address, credential, refusedSoFar](const Result& r) {
                     self->onProbe(address, credential, refusedSoFar, r);
                   });
  }

  void onProbe(const std::string& address, std::size_t credential, bool refusedSoFar,
               const Result& r) {
    if (!r.ok()) {
      const bool refusal = refusedSoFar || isV3Refusal(r.error);
      if (credential + 1 < options.credentials.size()) {
        probe(address, credential + 1, refusal);
        return;
      }
      complete(std::nullopt, refusal);
      return;
    }
    const auto facts = interpretProbe(r.varbinds);
    auto candidate = std::make_shared<Candidate>();
    FoundDevice& device = candidate->device;
    device.address = address;
    device.port = options.port;
    device.credential = options.credentials[credential].name;
    device.sysDescr = facts.sysDescr;
    device.sysObjectId = facts.sysObjectId;
    device.sysName = facts.sysName;
    device.printerName = facts.printerName;
    device.serial = facts.serial;
    device.mac = facts.mac;
    candidate->credential = credential;
    candidate->hrOther = facts.hrOther && !facts.hrPrinter;
    const auto& asked = probeOids();
    for (std::size_t i = 0; i < asked.size(); ++i) {
      if (const auto* vb = inColumn(r.varbinds, i, asked[i])) {
        candidate->answers.add(*vb);
      }
    }
    readIdentification(candidate);
  }

  // The device reader's identification GET: every definition's probes and
  // the standard scalars, so identify() sees what it sees for `probe`.
  void readIdentification(const std::shared_ptr<Candidate>& candidate) {
    auto self = shared_from_this();
    const auto target = targetFor(candidate->device.address, candidate->credential);
    client.get(target, identifyGets, [self, candidate](const Result& r) {
      candidate->answers.add(r.varbinds);
      if (candidate->hrOther) {
        self->checkHrDevices(candidate);
        return;
      }
      self->decide(candidate);
    });
  }

  // The first hrDevice was something else (a processor, say): look at all.
  void checkHrDevices(const std::shared_ptr<Candidate>& candidate) {
    auto self = shared_from_this();
    const auto target = targetFor(candidate->device.address, candidate->credential);
    client.walk(target, hrDeviceType(), {32, 16}, [self, candidate](const Result& r) {
      candidate->answers.add(r.varbinds);
      self->decide(candidate);
    });
  }

  void decide(const std::shared_ptr<Candidate>& candidate) {
    const auto id = client::pmd::identify(catalog, candidate->answers);
    FoundDevice& device = candidate->device;
    device.kind = id.kind;
    device.printer = id.read();
    device.pmd = id.definition->id;
    findMac(std::move(device), candidate->credential);
  }

  // The first interface is often the loopback, without an address.
  void findMac(FoundDevice device, std::size_t credential) {
    if (!device.printer || !device.mac.empty()) {
      complete(std::move(device), false);
      return;
    }
    auto self = shared_from_this();
    const auto target = targetFor(device.address, credential);
    client.walk(target, ifPhysAddress(), {64, 16},
                [self, device = std::move(device)](const Result& r) mutable {
                  for (const auto& vb : r.varbinds) {
                    device.mac = formatMac(vb.value.bytes);
                    if (!device.mac.empty()) {
                      break;
                    }
                  }
                  self->complete(std::move(device), false);
                });
  }

  void complete(std::optional<FoundDevice> device, bool refusal) {
    SweepProgress snapshot;
    {
      std::lock_guard lock(mutex);
      --inFlight;
      ++counts.done;
      if (device) {
        ++counts.answered;
        if (device->printer) {
          ++counts.printers;
        }
        found.push_back(std::move(*device));
      } else if (refusal) {
        ++refused;
      }
      snapshot = counts;
    }
    if (progress) {
      progress(snapshot);
    }
    launch();
  }

  void finish() {
    SweepResult result;
    {
      std::lock_guard lock(mutex);
      result.devices = dedupe(std::move(found));
      result.probed = counts.done;
      result.answered = counts.answered;
      result.refused = refused;
    }
    if (done) {
      done(std::move(result));
    }
  }
};

}  // namespace

const std::vector<Oid>& probeOids() {
  static const std::vector<Oid> kOids{
      sysDescr(),           sysObjectId(),           sysName(),
      hrDeviceType(),       prtGeneralPrinterName(), prtGeneralSerialNumber(),
      prtMarkerLifeCount(), ifPhysAddress()};
  return kOids;
}

std::string formatMac(const std::string& bytes) {
  if (bytes.size() != 6 || std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; })) {
    return {};
  }
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (!out.empty()) {
      out += ':';
    }
    out += kDigits[b >> 4U];
    out += kDigits[b & 15U];
  }
  return out;
}

ProbeFacts interpretProbe(const std::vector<VarBind>& varbinds) {
  ProbeFacts facts;
  if (const auto* vb = inColumn(varbinds, 0, sysDescr())) {
    facts.sysDescr = clean(vb->value.asText().value_or(""));
  }
  if (const auto* vb = inColumn(varbinds, 1, sysObjectId())) {
    facts.sysObjectId = vb->value.asText().value_or("");
  }
  if (const auto* vb = inColumn(varbinds, 2, sysName())) {
    facts.sysName = clean(vb->value.asText().value_or(""));
  }
  if (const auto* vb = inColumn(varbinds, 3, hrDeviceType())) {
    if (vb->value.type == ValueType::kOid && vb->value.oid == hrDevicePrinter()) {
      facts.hrPrinter = true;
    } else {
      facts.hrOther = true;
    }
  }
  if (const auto* vb = inColumn(varbinds, 4, prtGeneralPrinterName())) {
    facts.printerMib = true;
    facts.printerName = clean(vb->value.asText().value_or(""));
  }
  if (const auto* vb = inColumn(varbinds, 5, prtGeneralSerialNumber())) {
    facts.printerMib = true;
    facts.serial = clean(vb->value.asText().value_or(""));
  }
  if (inColumn(varbinds, 6, prtMarkerLifeCount()) != nullptr) {
    facts.printerMib = true;
  }
  if (const auto* vb = inColumn(varbinds, 7, ifPhysAddress())) {
    facts.mac = formatMac(vb->value.bytes);
  }
  return facts;
}

std::vector<FoundDevice> dedupe(std::vector<FoundDevice> devices) {
  std::stable_sort(devices.begin(), devices.end(), [](const auto& a, const auto& b) {
    return sortKey(a.address) < sortKey(b.address);
  });
  std::vector<FoundDevice> out;
  std::map<std::string, std::size_t> seen;
  for (auto& d : devices) {
    std::string key;
    if (!d.serial.empty()) {
      key = "serial:" + d.serial;
    } else if (!d.mac.empty()) {
      key = "mac:" + d.mac;
    }
    if (!key.empty()) {
      if (auto it = seen.find(key); it != seen.end()) {
        out[it->second].alsoAt.push_back(d.address);
        continue;
      }
      seen.emplace(key, out.size());
    }
    out.push_back(std::move(d));
  }
  return out;
}

void runSweep(SnmpClient& client, const openmps::pmd::Catalog& catalog, const AddressSet& addresses,
              std::vector<std::string> hosts, SweepOptions options,
              std::function<void(const SweepProgress&)> progress,
              std::function<void(SweepResult)> done) {
  if (options.credentials.empty()) {
    options.credentials.push_back({"public", {}});
  }
  auto state = std::make_shared<SweepState>(client, catalog, std::move(options));
  state->intervals = addresses.intervals();
  state->hosts = std::move(hosts);
  state->counts.total = addresses.size() + state->hosts.size();
  state->progress = std::move(progress);
  state->done = std::move(done);
  state->launch();
}

}  // namespace openmps::client::discovery
