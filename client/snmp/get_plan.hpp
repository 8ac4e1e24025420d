#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "shared/snmp/oid.hpp"
#include "shared/snmp/value.hpp"

// How a GET of many OIDs becomes PDUs, without sockets: batches of at most
// maxPerPdu OIDs; a batch the agent finds too big is split in halves; an OID
// an SNMPv1 agent rejects (noSuchName) or that makes it fail (genErr) is
// answered as noSuchObject and the batch is sent again without it, so one
// bad OID never costs the others.
namespace openmps::client::snmp {

class GetPlan {
 public:
  GetPlan(std::vector<openmps::snmp::Oid> oids, std::size_t maxPerPdu);

  bool done() const { return batches_.empty(); }
  // The OIDs of the batch to send now; requires !done().
  std::vector<openmps::snmp::Oid> current() const;
  // An answer to the current batch. False when it does not match what was
  // asked (other OIDs or another count): a bad response.
  bool answered(const std::vector<openmps::snmp::VarBind>& varbinds);
  // Splits the current batch in two; false when it holds one OID only.
  bool split();
  // The agent named the OID at errorIndex (1-based, as in the PDU) as the
  // culprit: it becomes noSuchObject and the rest is asked again. False
  // when the index does not name an OID of the batch.
  bool dropAt(long errorIndex);

  // One varbind per requested OID, in the order asked; requires done().
  std::vector<openmps::snmp::VarBind> results() const;

 private:
  std::vector<openmps::snmp::Oid> oids_;
  std::vector<std::optional<openmps::snmp::Value>> values_;
  std::deque<std::vector<std::size_t>> batches_;  // indices into oids_
};

}  // namespace openmps::client::snmp
