#include "client/snmp/walk_state.hpp"

#include <utility>

namespace openmps::client::snmp {

using openmps::snmp::Oid;
using openmps::snmp::ValueType;
using openmps::snmp::VarBind;

WalkState::WalkState(Oid root, std::size_t maxRows)
    : root_(std::move(root)), last_(root_), maxRows_(maxRows) {}

WalkState::Step WalkState::accept(const std::vector<VarBind>& varbinds) {
  if (varbinds.empty()) {
    return Step::kDone;
  }
  for (const auto& vb : varbinds) {
    const auto type = vb.value.type;
    if (type == ValueType::kEndOfMibView || type == ValueType::kNoSuchObject ||
        type == ValueType::kNoSuchInstance) {
      return Step::kDone;
    }
    if (!root_.isPrefixOf(vb.oid) || vb.oid == root_) {
      return Step::kDone;
    }
    if (vb.oid <= last_) {
      loopOid_ = vb.oid;
      return Step::kLoop;
    }
    if (rows_.size() >= maxRows_) {
      truncated_ = true;
      return Step::kDone;
    }
    rows_.push_back(vb);
    last_ = vb.oid;
  }
  return Step::kContinue;
}

}  // namespace openmps::client::snmp
