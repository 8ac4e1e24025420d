#include "client/snmp/credential_options.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace openmps::client::snmp {

namespace {

std::string normalise(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch != '-' && ch != '_') {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
  }
  return out;
}

}  // namespace

std::vector<util::OptionSpec> snmpOptionSpecs() {
  return {
      {"snmp-version", true, "1|2c|3", "SNMP version (default 2c; 3 when --user is given)"},
      {"community", true, "C", "community for v1/v2c (default public)"},
      {"user", true, "U", "SNMPv3 user name"},
      {"auth-protocol", true, "P", "MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512"},
      {"auth-password", true, "X", "SNMPv3 authentication password (8 characters or more)"},
      {"priv-protocol", true, "P", "DES, AES (AES-128), AES-192 or AES-256"},
      {"priv-password", true, "X", "SNMPv3 privacy password (8 characters or more)"},
      {"context", true, "N", "SNMPv3 context name"},
      {"timeout-ms", true, "N", "time to wait for each answer (default 2000)"},
      {"retries", true, "N", "tries after the first (default 1)"},
  };
}

std::optional<AuthProtocol> parseAuthProtocol(std::string_view text) {
  const std::string n = normalise(text);
  if (n == "MD5") return AuthProtocol::kMd5;
  if (n == "SHA" || n == "SHA1") return AuthProtocol::kSha1;
  if (n == "SHA224") return AuthProtocol::kSha224;
  if (n == "SHA256") return AuthProtocol::kSha256;
  if (n == "SHA384") return AuthProtocol::kSha384;
  if (n == "SHA512") return AuthProtocol::kSha512;
  if (n == "NONE") return AuthProtocol::kNone;
  return std::nullopt;
}

std::optional<PrivProtocol> parsePrivProtocol(std::string_view text) {
  const std::string n = normalise(text);
  if (n == "DES") return PrivProtocol::kDes;
  if (n == "AES" || n == "AES128") return PrivProtocol::kAes128;
  if (n == "AES192") return PrivProtocol::kAes192;
  if (n == "AES256") return PrivProtocol::kAes256;
  if (n == "NONE") return PrivProtocol::kNone;
  return std::nullopt;
}

Credentials credentialsFromArgs(const util::ParsedArgs& args) {
  Credentials c;
  const auto version = args.get("snmp-version");
  if (version) {
    if (*version == "1") {
      c.version = Version::kV1;
    } else if (*version == "2c" || *version == "2") {
      c.version = Version::kV2c;
    } else if (*version == "3") {
      c.version = Version::kV3;
    } else {
      throw util::UsageError("--snmp-version expects 1, 2c or 3, got '" + *version + "'");
    }
  } else if (args.has("user")) {
    c.version = Version::kV3;
  }
  if (auto community = args.get("community")) {
    if (c.version == Version::kV3) {
      throw util::UsageError("--community is for SNMP v1 and v2c, not v3");
    }
    c.community = util::Secret(*community);
  }
  const bool anyV3 = args.has("user") || args.has("auth-protocol") || args.has("auth-password") ||
                     args.has("priv-protocol") || args.has("priv-password") || args.has("context");
  if (c.version != Version::kV3) {
    if (anyV3) {
      throw util::UsageError("--user, --auth-*, --priv-* and --context need --snmp-version 3");
    }
    return c;
  }
  c.user = args.getOr("user", "");
  if (c.user.empty()) {
    throw util::UsageError("SNMPv3 needs --user");
  }
  c.context = args.getOr("context", "");
  if (auto auth = args.get("auth-password")) {
    c.authPassword = util::Secret(*auth);
    c.authProtocol = AuthProtocol::kSha1;
  }
  if (auto proto = args.get("auth-protocol")) {
    auto parsed = parseAuthProtocol(*proto);
    if (!parsed) {
      throw util::UsageError(
          "--auth-protocol expects MD5, SHA, SHA-224, SHA-256, SHA-384 or "
          "SHA-512, got '" +
          *proto + "'");
    }
    c.authProtocol = *parsed;
  }
  if (auto priv = args.get("priv-password")) {
    c.privPassword = util::Secret(*priv);
    c.privProtocol = PrivProtocol::kAes128;
  }
  if (auto proto = args.get("priv-protocol")) {
    auto parsed = parsePrivProtocol(*proto);
    if (!parsed) {
      throw util::UsageError("--priv-protocol expects DES, AES, AES-192 or AES-256, got '" +
                             *proto + "'");
    }
    c.privProtocol = *parsed;
  }
  if (c.authProtocol != AuthProtocol::kNone && c.authPassword.reveal().size() < 8) {
    throw util::UsageError("--auth-password needs at least 8 characters");
  }
  if (c.privProtocol != PrivProtocol::kNone) {
    if (c.authProtocol == AuthProtocol::kNone) {
      throw util::UsageError("SNMPv3 privacy needs authentication (--auth-password)");
    }
    if (c.privPassword.reveal().size() < 8) {
      throw util::UsageError("--priv-password needs at least 8 characters");
    }
  }
  return c;
}

void applyTimingArgs(const util::ParsedArgs& args, Target& target) {
  target.timeout = std::chrono::milliseconds(args.intOr("timeout-ms", 2000, 10, 600'000));
  target.retries = static_cast<int>(args.intOr("retries", 1, 0, 20));
}

std::optional<std::pair<std::string, std::uint16_t>> parseHostPort(std::string_view text,
                                                                   std::uint16_t defaultPort) {
  auto parsePort = [](std::string_view p) -> std::optional<std::uint16_t> {
    if (p.empty() || p.size() > 5 ||
        !std::all_of(p.begin(), p.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      return std::nullopt;
    }
    const auto value = std::stoul(std::string(p));
    if (value == 0 || value > 65535) {
      return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
  };
  if (text.empty()) {
    return std::nullopt;
  }
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close == 1) {
      return std::nullopt;
    }
    std::string host(text.substr(1, close - 1));
    auto rest = text.substr(close + 1);
    if (rest.empty()) {
      return std::make_pair(host, defaultPort);
    }
    if (rest.front() != ':') {
      return std::nullopt;
    }
    auto port = parsePort(rest.substr(1));
    if (!port) {
      return std::nullopt;
    }
    return std::make_pair(host, *port);
  }
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return std::make_pair(std::string(text), defaultPort);
  }
  if (text.find(':', colon + 1) != std::string_view::npos) {
    return std::make_pair(std::string(text), defaultPort);  // a bare IPv6 literal
  }
  auto port = parsePort(text.substr(colon + 1));
  if (!port || colon == 0) {
    return std::nullopt;
  }
  return std::make_pair(std::string(text.substr(0, colon)), *port);
}

}  // namespace openmps::client::snmp
