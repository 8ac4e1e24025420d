#include "client/snmp/multi_walk_state.hpp"

#include <algorithm>
#include <utility>

namespace openmps::client::snmp {

using openmps::snmp::Oid;
using openmps::snmp::ValueType;
using openmps::snmp::VarBind;

MultiWalkState::MultiWalkState(std::vector<Oid> roots, std::size_t maxRows, std::size_t maxVarbinds,
                               int maxRepetitions)
    : maxRows_(maxRows),
      budget_(std::max<std::size_t>(1, maxVarbinds)),
      maxRepetitions_(std::max(1, maxRepetitions)) {
  columns_.reserve(roots.size());
  for (auto& root : roots) {
    Column c;
    c.last = root;
    c.root = std::move(root);
    columns_.push_back(std::move(c));
  }
}

bool MultiWalkState::done() const {
  return std::none_of(columns_.begin(), columns_.end(),
                      [](const Column& c) { return c.end == End::kOpen; });
}

MultiWalkState::Request MultiWalkState::next() const {
  Request r;
  const std::size_t limit = oneColumnPerRequest_ ? 1 : budget_;
  for (std::size_t i = 0; i < columns_.size() && r.columns.size() < limit; ++i) {
    if (columns_[i].end == End::kOpen) {
      r.columns.push_back(i);
      r.oids.push_back(columns_[i].last);
    }
  }
  const std::size_t perColumn = budget_ / std::max<std::size_t>(1, r.columns.size());
  r.repetitions = static_cast<int>(
      std::clamp<std::size_t>(perColumn, 1, static_cast<std::size_t>(maxRepetitions_)));
  return r;
}

bool MultiWalkState::take(Column& c, const VarBind& vb) {
  const auto type = vb.value.type;
  if (type == ValueType::kEndOfMibView || type == ValueType::kNoSuchObject ||
      type == ValueType::kNoSuchInstance || vb.oid == c.root) {
    c.end = End::kDone;
    return false;
  }
  // Before the subtree test: an agent that orders its answer otherwise than
  // repetition by repetition hands a root OIDs that lie behind it, and that
  // must show as an error, not pass as the quiet end of the root.
  if (vb.oid <= c.last) {
    c.end = End::kLoop;
    c.message = "the walk of " + c.root.toString() + " loops: the agent answered " +
                vb.oid.toString() + ", which does not come after " + c.last.toString();
    return false;
  }
  if (!c.root.isPrefixOf(vb.oid)) {
    c.end = End::kDone;
    return false;
  }
  if (c.rows.size() >= maxRows_) {
    c.truncated = true;
    c.end = End::kDone;
    return false;
  }
  c.rows.push_back(vb);
  c.last = vb.oid;
  return true;
}

void MultiWalkState::accept(const Request& request, const std::vector<VarBind>& varbinds) {
  const std::size_t n = request.columns.size();
  if (n == 0) {
    return;
  }
  if (varbinds.empty()) {
    for (const std::size_t i : request.columns) {
      if (columns_[i].end == End::kOpen) {
        columns_[i].end = End::kDone;
      }
    }
    return;
  }
  // More than asked for is the agent's mistake; what was asked is still usable.
  const std::size_t usable =
      std::min(varbinds.size(), n * static_cast<std::size_t>(std::max(1, request.repetitions)));
  for (std::size_t k = 0; k < usable; ++k) {
    Column& c = columns_[request.columns[k % n]];
    if (c.end == End::kOpen) {
      take(c, varbinds[k]);
    }
  }
}

bool MultiWalkState::tooBig(const Request& request) {
  if (budget_ > 1) {
    budget_ /= 2;
    return true;
  }
  for (const std::size_t i : request.columns) {
    if (columns_[i].end == End::kOpen) {
      columns_[i].end = End::kFailed;
      columns_[i].message = "the agent answered tooBig for a single OID";
    }
  }
  return false;
}

void MultiWalkState::error(const Request& request, long errorIndex, bool endOfView,
                           const std::string& message) {
  const std::size_t n = request.columns.size();
  std::size_t culprit = n;
  if (errorIndex >= 1 && static_cast<std::size_t>(errorIndex) <= n) {
    culprit = static_cast<std::size_t>(errorIndex - 1);
  } else if (n == 1) {
    culprit = 0;
  } else {
    oneColumnPerRequest_ = true;  // ask again, one column at a time, to learn which one
    return;
  }
  Column& c = columns_[request.columns[culprit]];
  if (c.end != End::kOpen) {
    return;
  }
  if (endOfView) {
    c.end = End::kDone;
  } else {
    c.end = End::kFailed;
    c.message = message + " after " + std::to_string(c.rows.size()) + " rows";
  }
}

}  // namespace openmps::client::snmp
