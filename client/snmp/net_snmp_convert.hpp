#pragma once

#include <string>

#include "shared/snmp/value.hpp"

// net-snmp's varbind, declared here so its header stays in the .cpp files.
struct variable_list;

// Conversions between net-snmp's structures and the project's SNMP types.
// Everything in a varbind comes from a device and is untrusted: lengths are
// checked against the buffer net-snmp gives, unknown types become opaque.
namespace openmps::client::snmp {

openmps::snmp::VarBind toVarBind(const variable_list& vb);
// "tooBig", "noSuchName", "genErr", ... for an error-status number.
std::string errorStatusName(long status);

}  // namespace openmps::client::snmp
