#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shared/model/reading.hpp"
#include "shared/pmd/catalog.hpp"
#include "shared/pmd/definition.hpp"
#include "shared/snmp/value.hpp"

// The PMD engine: pure functions from a definition and the answers of one
// device to a model::Reading. No sockets here; device_reader.hpp does the
// talking, unit tests hand in snapshots.
namespace openmps::client::pmd {

using openmps::snmp::Oid;
using openmps::snmp::Value;
using openmps::snmp::VarBind;

// Everything one device answered, GETs and walks alike, by OID.
class Snapshot {
 public:
  void add(const VarBind& varbind);
  void add(const std::vector<VarBind>& varbinds);
  // Exceptions (noSuchObject, ...) count as absent.
  const Value* find(const Oid& oid) const;
  // Rows under root, in OID order, as (suffix after root, value).
  std::vector<std::pair<Oid, const Value*>> subtree(const Oid& root) const;
  bool hasAnyUnder(const Oid& root) const;
  std::size_t size() const { return values_.size(); }

 private:
  std::map<Oid, Value> values_;
};

// Row selection of a walk: whether a row index ends with the given sub-ids,
// and the row of a key column indexed by the first `length` sub-ids of a
// row index (length 0: the whole index; nullopt when the index is shorter).
bool indexEndsWith(const Oid& index, const Oid& ending);
std::optional<Oid> keyRowOf(const Oid& index, std::uint32_t length);

// What to ask a device for: GETs in as few PDUs as the client packs them,
// and the table columns the definition reads (no walk inside another, no
// GET inside a walk), walked together (SnmpClient::walkMany).
struct FetchPlan {
  std::vector<Oid> gets;
  std::vector<Oid> walks;
};

// Phase one: the system group, every definition's probe OIDs, and the
// generic definition's scalars (needed for any device, so read at once).
FetchPlan planIdentify(const openmps::pmd::Catalog& catalog);
// Phase two: what def needs that phase one did not already read.
FetchPlan planRead(const openmps::pmd::Definition& def, const Snapshot& alreadyRead);

// The definition that fits best: among those with a matching rule, the
// highest priority, then the most specific (longest inheritance chain),
// then the id. The generic definition when none matches.
const openmps::pmd::Definition& selectDefinition(const openmps::pmd::Catalog& catalog,
                                                 const Snapshot& phaseOne);

struct EvaluateContext {
  std::string address;  // host[:port] as asked
  std::string ip;       // the host part
};

// The reading, without readAt and origin.clientId (the caller's to set).
model::Reading evaluate(const openmps::pmd::Definition& def, const Snapshot& snapshot,
                        const EvaluateContext& context);

// What a device is, as far as reading it goes.
enum class DeviceKind { kPrinter, kScanner, kOther };
const char* toString(DeviceKind kind);

struct Identification {
  const openmps::pmd::Definition* definition = nullptr;  // never null
  DeviceKind kind = DeviceKind::kOther;
  bool read() const { return kind != DeviceKind::kOther; }
};

// The one decision, for scan, run and probe alike, whether a device is read
// and with which definition: a device a vendor definition matches is what
// that definition reads (a printer, or a scanner); any other device is a
// printer when its answers show the standard MIBs of one (Printer-MIB
// objects, an hrPrinterTable row, an hrDeviceType of hrDevicePrinter), and
// otherwise not read at all.
Identification identify(const openmps::pmd::Catalog& catalog, const Snapshot& answers);

}  // namespace openmps::client::pmd
