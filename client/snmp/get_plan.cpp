#include "client/snmp/get_plan.hpp"

#include <algorithm>
#include <utility>

namespace openmps::client::snmp {

using openmps::snmp::Oid;
using openmps::snmp::Value;
using openmps::snmp::ValueType;
using openmps::snmp::VarBind;

GetPlan::GetPlan(std::vector<Oid> oids, std::size_t maxPerPdu)
    : oids_(std::move(oids)), values_(oids_.size()) {
  const std::size_t per = std::max<std::size_t>(1, maxPerPdu);
  for (std::size_t i = 0; i < oids_.size(); i += per) {
    std::vector<std::size_t> batch;
    for (std::size_t j = i; j < std::min(oids_.size(), i + per); ++j) {
      batch.push_back(j);
    }
    batches_.push_back(std::move(batch));
  }
}

std::vector<Oid> GetPlan::current() const {
  std::vector<Oid> out;
  for (std::size_t i : batches_.front()) {
    out.push_back(oids_[i]);
  }
  return out;
}

bool GetPlan::answered(const std::vector<VarBind>& varbinds) {
  const auto& batch = batches_.front();
  if (varbinds.size() != batch.size()) {
    return false;
  }
  for (std::size_t k = 0; k < batch.size(); ++k) {
    if (varbinds[k].oid != oids_[batch[k]]) {
      return false;
    }
  }
  for (std::size_t k = 0; k < batch.size(); ++k) {
    values_[batch[k]] = varbinds[k].value;
  }
  batches_.pop_front();
  return true;
}

bool GetPlan::split() {
  auto batch = batches_.front();
  if (batch.size() < 2) {
    return false;
  }
  const auto half = static_cast<std::ptrdiff_t>(batch.size() / 2);
  std::vector<std::size_t> first(batch.begin(), batch.begin() + half);
  std::vector<std::size_t> second(batch.begin() + half, batch.end());
  batches_.pop_front();
  batches_.push_front(std::move(second));
  batches_.push_front(std::move(first));
  return true;
}

bool GetPlan::dropAt(long errorIndex) {
  auto& batch = batches_.front();
  if (errorIndex < 1 || static_cast<std::size_t>(errorIndex) > batch.size()) {
    return false;
  }
  const auto pos = static_cast<std::size_t>(errorIndex - 1);
  values_[batch[pos]] = Value::exception(ValueType::kNoSuchObject);
  batch.erase(batch.begin() + static_cast<std::ptrdiff_t>(pos));
  if (batch.empty()) {
    batches_.pop_front();
  }
  return true;
}

std::vector<VarBind> GetPlan::results() const {
  std::vector<VarBind> out;
  out.reserve(oids_.size());
  for (std::size_t i = 0; i < oids_.size(); ++i) {
    out.push_back({oids_[i], values_[i].value_or(Value::exception(ValueType::kNoSuchObject))});
  }
  return out;
}

}  // namespace openmps::client::snmp
