#pragma once

#include <optional>
#include <string>

#include "client/snmp/snmp_client.hpp"

// What an SNMPv3 REPORT PDU means. Agents answer a request they cannot
// accept with a REPORT whose first varbind names the counter that went up
// (RFC 3414 usmStats*, RFC 3412 snmp*); that REPORT is the answer to the
// request, so the caller learns "authentication failed" at once instead of
// waiting for a timeout.
namespace openmps::client::snmp {

enum class ReportMeaning {
  kError,          // the request failed: see kind
  kUnknownEngine,  // the answer to an engine-ID discovery probe
  kNotInTime,      // clocks not synchronised yet: resend
};

struct ReportClass {
  ReportMeaning meaning = ReportMeaning::kError;
  ErrorKind kind = ErrorKind::kBadResponse;
  const char* what = "";  // "wrong authentication password (usmStatsWrongDigests)"
};

// Classifies a REPORT by the OID of its first varbind (nullopt: no varbind).
ReportClass classifyReport(const std::optional<Oid>& first);

// The user-facing line for a failed request: "<target>: <what> (<credentials>)".
std::string describeFailure(const Target& target, ErrorKind kind, const std::string& detail);

}  // namespace openmps::client::snmp
