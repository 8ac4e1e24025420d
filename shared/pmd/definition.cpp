#include "shared/pmd/definition.hpp"

namespace openmps::pmd {

std::string SourceLocation::toString() const {
  std::string out = file;
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) {
      out += ':' + std::to_string(column);
    }
  }
  if (!field.empty()) {
    out += (out.empty() ? "" : ": ") + field;
  }
  return out;
}

PmdError::PmdError(SourceLocation where, const std::string& problem)
    : std::runtime_error(where.toString() + ": " + problem),
      where_(std::move(where)),
      problem_(problem) {}

const char* toString(DeviceKind kind) {
  return kind == DeviceKind::kScanner ? "scanner" : "printer";
}

const std::vector<std::string>& identityFields() {
  static const std::vector<std::string> kFields = {
      "manufacturer", "model", "serial", "firmware", "mac", "hostName", "location", "contact"};
  return kFields;
}

const std::vector<std::string>& statusFields() {
  static const std::vector<std::string> kFields = {"printerStatus", "deviceStatus", "errorState",
                                                   "vendorCode"};
  return kFields;
}

const std::vector<std::string>& capabilityFields() {
  static const std::vector<std::string> kFields = {"color",      "duplex",      "largeFormat",
                                                   "inputTrays", "outputTrays", "finishers"};
  return kFields;
}

}  // namespace openmps::pmd
