#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/snmp/snmp_client.hpp"
#include "shared/util/args.hpp"

// The SNMP options the probe and scan commands share: version, community,
// SNMPv3 user and keys, context, timeout and retries. Errors are
// util::UsageError with a message naming the option.
namespace openmps::client::snmp {

// --snmp-version --community --user --auth-protocol --auth-password
// --priv-protocol --priv-password --context --timeout-ms --retries
std::vector<util::OptionSpec> snmpOptionSpecs();

// Credentials from those options (default: v2c, community "public"; a
// --user alone implies v3).
Credentials credentialsFromArgs(const util::ParsedArgs& args);
// Timeout and retries into target.
void applyTimingArgs(const util::ParsedArgs& args, Target& target);

// "MD5", "SHA" / "SHA1" / "SHA-1", "SHA-224" ... "SHA-512", any case.
std::optional<AuthProtocol> parseAuthProtocol(std::string_view text);
// "DES", "AES" / "AES128" / "AES-128", "AES-192", "AES-256", any case.
std::optional<PrivProtocol> parsePrivProtocol(std::string_view text);

// "host", "host:port", "[v6]:port" or a bare IPv6 literal.
std::optional<std::pair<std::string, std::uint16_t>> parseHostPort(std::string_view text,
                                                                   std::uint16_t defaultPort);

}  // namespace openmps::client::snmp
