#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "shared/snmp/oid.hpp"
#include "shared/snmp/value.hpp"

// The bookkeeping of several walks sharing one GETBULK (or SNMPv1 GETNEXT)
// chain, without sockets. Each request carries the last OID seen of every
// still-open root, so a device's small tables cost one round trip together
// instead of one each. Decides which OIDs to ask next and how many
// repetitions fit the response budget, and sorts each answer back to its
// root: a root ends at the end of its subtree, at an exception, at maxRows,
// or on its own when the agent answers an OID that does not increase.
namespace openmps::client::snmp {

class MultiWalkState {
 public:
  enum class End { kOpen, kDone, kLoop, kFailed };

  struct Column {
    openmps::snmp::Oid root;
    openmps::snmp::Oid last;  // the OID to continue after
    std::vector<openmps::snmp::VarBind> rows;
    End end = End::kOpen;
    bool truncated = false;
    std::string message;  // kLoop, kFailed: what went wrong
  };

  struct Request {
    std::vector<std::size_t> columns;  // indices into columns(), in PDU order
    std::vector<openmps::snmp::Oid> oids;
    int repetitions = 1;  // GETBULK max-repetitions (1 for GETNEXT)
  };

  // maxVarbinds: the answer budget of one request (columns × repetitions);
  // maxRepetitions caps the repetitions however few columns are open.
  MultiWalkState(std::vector<openmps::snmp::Oid> roots, std::size_t maxRows,
                 std::size_t maxVarbinds, int maxRepetitions);

  bool done() const;
  // The next request; requires !done(). At most the budget's worth of open
  // columns, in the order given; the rest wait for a later request.
  Request next() const;

  // The varbinds of a GETBULK (or GETNEXT) answer to request, in the order
  // the agent sent them: repetition after repetition, one varbind per asked
  // column each. A short answer (the agent cut it) leaves the columns it did
  // not reach open; an empty one ends every column asked.
  void accept(const Request& request, const std::vector<openmps::snmp::VarBind>& varbinds);
  // tooBig: halves the budget. False when a single column with a single
  // repetition is already too big; that column is then failed.
  bool tooBig(const Request& request);
  // An error status naming the varbind at errorIndex (1-based, as in the
  // PDU). endOfView (SNMPv1 noSuchName) ends that column normally; otherwise
  // the column fails with message. Without a usable index the columns are
  // asked one per request from now on, so the next error names its column;
  // a request that already held one column fails it. The others go on.
  void error(const Request& request, long errorIndex, bool endOfView, const std::string& message);

  const std::vector<Column>& columns() const { return columns_; }
  std::vector<Column>& columns() { return columns_; }

 private:
  std::vector<Column> columns_;
  std::size_t maxRows_;
  std::size_t budget_;
  int maxRepetitions_;
  bool oneColumnPerRequest_ = false;

  // One varbind for column c; false when the column ended with it.
  bool take(Column& c, const openmps::snmp::VarBind& vb);
};

}  // namespace openmps::client::snmp
