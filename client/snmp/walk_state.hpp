#pragma once

#include <cstddef>
#include <vector>

#include "shared/snmp/oid.hpp"
#include "shared/snmp/value.hpp"

// The bookkeeping of a table walk, without sockets: which OID to ask for
// next, when the subtree ends, and when an agent that answers OIDs which do
// not increase would make the walk go on for ever.
namespace openmps::client::snmp {

class WalkState {
 public:
  enum class Step { kContinue, kDone, kLoop };

  WalkState(openmps::snmp::Oid root, std::size_t maxRows);

  // The OID to put in the next GETNEXT / GETBULK.
  const openmps::snmp::Oid& next() const { return last_; }
  // Takes the varbinds of one answer, in order.
  Step accept(const std::vector<openmps::snmp::VarBind>& varbinds);

  std::vector<openmps::snmp::VarBind>& rows() { return rows_; }
  bool truncated() const { return truncated_; }
  // The OID that did not increase, after kLoop.
  const openmps::snmp::Oid& loopOid() const { return loopOid_; }

 private:
  openmps::snmp::Oid root_;
  openmps::snmp::Oid last_;
  std::size_t maxRows_;
  std::vector<openmps::snmp::VarBind> rows_;
  bool truncated_ = false;
  openmps::snmp::Oid loopOid_;
};

}  // namespace openmps::client::snmp
