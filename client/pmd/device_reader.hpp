#pragma once

#include <functional>
#include <string>

#include "client/pmd/engine.hpp"
#include "client/snmp/snmp_client.hpp"
#include "shared/model/reading.hpp"
#include "shared/pmd/catalog.hpp"

namespace openmps::client::pmd {

enum class ReadError {
  kNone,
  kSnmp,         // the SNMP layer failed (see snmpError)
  kNotAPrinter,  // the device answers but shows nothing of a printer
};

struct ReadOutcome {
  ReadError error = ReadError::kNone;
  snmp::ErrorKind snmpError = snmp::ErrorKind::kNone;
  std::string message;                   // one line for the user; empty when ok
  DeviceKind kind = DeviceKind::kOther;  // what identify() made of the answers
  model::Reading reading;
  bool ok() const { return error == ReadError::kNone; }
};

// Reads one device in two phases over the SNMP seam: (1) one GET of the
// system group, the probe OIDs and the generic scalars, then the best
// definition is chosen; (2) one GET of the scalars the definition still
// needs, and the table columns it reads walked together in one request
// chain (SnmpClient::walkMany), both at once; then the engine evaluates.
class DeviceReader {
 public:
  using Done = std::function<void(ReadOutcome)>;
  DeviceReader(snmp::SnmpClient& client, const openmps::pmd::Catalog& catalog)
      : client_(client), catalog_(catalog) {}

  // Asynchronous: done runs once, on the SNMP client's thread.
  void read(const snmp::Target& target, Done done);
  // For commands: waits for read().
  ReadOutcome readAndWait(const snmp::Target& target);

 private:
  snmp::SnmpClient& client_;
  const openmps::pmd::Catalog& catalog_;
};

}  // namespace openmps::client::pmd
