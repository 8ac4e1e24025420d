#include "client/snmp/report_errors.hpp"

#include <array>

namespace openmps::client::snmp {

namespace {

struct KnownReport {
  const char* oid;
  ReportMeaning meaning;
  ErrorKind kind;
  const char* what;
};

// RFC 3414 (usmStats, 1.3.6.1.6.3.15.1.1), RFC 3412 (snmpUnknownSecurityModels
// and friends, 1.3.6.1.6.3.11.2.1), RFC 3413 (snmpUnavailableContexts and
// snmpUnknownContexts, 1.3.6.1.6.3.12.1).
constexpr std::array<KnownReport, 11> kReports{{
    {"1.3.6.1.6.3.15.1.1.1", ReportMeaning::kError, ErrorKind::kUnsupportedSecurityLevel,
     "the agent does not support this security level for the user (usmStatsUnsupportedSecLevels)"},
    {"1.3.6.1.6.3.15.1.1.2", ReportMeaning::kNotInTime, ErrorKind::kBadResponse,
     "not in the agent's time window (usmStatsNotInTimeWindows)"},
    {"1.3.6.1.6.3.15.1.1.3", ReportMeaning::kError, ErrorKind::kUnknownUser,
     "unknown SNMPv3 user (usmStatsUnknownUserNames)"},
    {"1.3.6.1.6.3.15.1.1.4", ReportMeaning::kUnknownEngine, ErrorKind::kBadResponse,
     "unknown engine ID (usmStatsUnknownEngineIDs)"},
    {"1.3.6.1.6.3.15.1.1.5", ReportMeaning::kError, ErrorKind::kAuthFailed,
     "authentication failed: wrong authentication password or protocol (usmStatsWrongDigests)"},
    {"1.3.6.1.6.3.15.1.1.6", ReportMeaning::kError, ErrorKind::kDecryptionFailed,
     "decryption failed: wrong privacy password or protocol (usmStatsDecryptionErrors)"},
    {"1.3.6.1.6.3.12.1.4", ReportMeaning::kError, ErrorKind::kUnknownContext,
     "context unavailable (snmpUnavailableContexts)"},
    {"1.3.6.1.6.3.12.1.5", ReportMeaning::kError, ErrorKind::kUnknownContext,
     "unknown context (snmpUnknownContexts)"},
    {"1.3.6.1.6.3.11.2.1.1", ReportMeaning::kError, ErrorKind::kBadResponse,
     "the agent does not know the security model (snmpUnknownSecurityModels)"},
    {"1.3.6.1.6.3.11.2.1.2", ReportMeaning::kError, ErrorKind::kBadResponse,
     "the agent found the message invalid (snmpInvalidMsgs)"},
    {"1.3.6.1.6.3.11.2.1.3", ReportMeaning::kError, ErrorKind::kBadResponse,
     "the agent has no handler for the request (snmpUnknownPDUHandlers)"},
}};

}  // namespace

ReportClass classifyReport(const std::optional<Oid>& first) {
  if (!first) {
    return {ReportMeaning::kError, ErrorKind::kBadResponse, "a REPORT without a varbind"};
  }
  for (const auto& known : kReports) {
    // The counters are scalars: the agent sends them with or without ".0".
    if (Oid::of(known.oid).isPrefixOf(*first)) {
      return {known.meaning, known.kind, known.what};
    }
  }
  return {ReportMeaning::kError, ErrorKind::kBadResponse, "an unexpected REPORT"};
}

std::string describeFailure(const Target& target, ErrorKind kind, const std::string& detail) {
  std::string out = target.toString() + ": ";
  out += detail.empty() ? toString(kind) : detail;
  out += " (" + target.credentials.describe() + ")";
  return out;
}

}  // namespace openmps::client::snmp
