// The YAML side of server_config.hpp, read with shared/yaml.
#include <algorithm>
#include <array>
#include <tuple>
#include <utility>

#include <unistd.h>

#include "server/config/server_config.hpp"
#include "shared/envelope/xmlrpc_call.hpp"
#include "shared/util/args.hpp"
#include "shared/util/files.hpp"
#include "shared/yaml/yaml_field.hpp"

namespace openmps::server::config {
namespace {

constexpr std::size_t kMaxConfigBytes = 1u << 20;
constexpr std::size_t kMaxSecretFileBytes = 4096;
constexpr std::size_t kMaxListItems = 64;

using yaml::Context;
using yaml::Field;

yaml::Options readerOptions() {
  yaml::Options options;
  options.maxListItems = kMaxListItems;
  options.emptyTextAllowed = false;
  return options;
}

ListenAddress parseListen(const Field& field) {
  const std::string value = field.text(300);
  ListenAddress out;
  std::string portText;
  if (value.front() == '[') {
    const auto close = value.find(']');
    if (close == std::string::npos || close + 1 >= value.size() || value[close + 1] != ':') {
      field.fail("expected [IPv6]:PORT, got '" + value + "'");
    }
    out.host = value.substr(1, close - 1);
    portText = value.substr(close + 2);
  } else {
    const auto colon = value.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      field.fail("expected HOST:PORT (for example 0.0.0.0:52004), got '" + value + "'");
    }
    out.host = value.substr(0, colon);
    portText = value.substr(colon + 1);
  }
  const auto port = util::parseInt(portText);
  if (!port || *port < 0 || *port > 65535) {
    field.fail("port must be a number from 0 to 65535, got '" + portText + "'");
  }
  out.port = static_cast<std::uint16_t>(*port);
  return out;
}

std::string readSecretFile(const Field& field, const std::filesystem::path& file) {
  try {
    return util::readSecretFile(file, kMaxSecretFileBytes).reveal();
  } catch (const std::exception& e) {
    field.fail(e.what());
  }
}

void parseDatabase(const Field& section, const Context& ctx, ServerConfig& out) {
  bool given = false;
  for (const auto& [name, field] : section.entries({"uri", "uri_file"})) {
    if (given) {
      field.fail("give either uri or uri_file, not both");
    }
    given = true;
    std::string uri =
        name == "uri" ? field.text(4096) : readSecretFile(field, ctx.resolve(field.text()));
    if (uri.rfind("postgresql://", 0) != 0 && uri.rfind("postgres://", 0) != 0 &&
        uri.find('=') == std::string::npos) {
      field.fail("expected a PostgreSQL URI (postgresql://user:password@host:port/database)");
    }
    out.databaseUri = util::Secret(std::move(uri));
  }
  if (!given) {
    section.fail("missing uri (or uri_file)");
  }
}

void checkAddress(const Field& field, const std::string& value) {
  static constexpr std::array<const char*, 4> kSchemes = {"xmlrpcs://", "xmlrpc://", "https://",
                                                          "mailto:"};
  if (std::none_of(kSchemes.begin(), kSchemes.end(),
                   [&](const char* s) { return value.rfind(s, 0) == 0; })) {
    field.fail(
        "expected an address starting with xmlrpcs://, xmlrpc://, https:// or mailto:, got '" +
        value + "'");
  }
}

}  // namespace

std::string ListenAddress::toString() const {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

namespace {

void parseLimits(const Field& field, Limits& limits) {
  using std::chrono::seconds;
  const auto count = [](const Field& f) { return static_cast<int>(f.integer(1, 100'000)); };
  const auto rate = [](const Field& f) { return static_cast<int>(f.integer(1, 1'000'000)); };
  for (const auto& [key, f] :
       field.entries({"max_request_bytes", "max_connections", "max_connections_per_peer",
                      "max_pending_connections", "max_pending_per_peer", "handshake_timeout",
                      "request_timeout", "idle_timeout", "peer_rate_per_minute", "peer_rate_burst",
                      "rate_per_minute", "rate_burst"})) {
    if (key == "max_request_bytes") {
      limits.maxRequestBytes = static_cast<std::size_t>(
          f.integer(1024, static_cast<std::int64_t>(envelope::kMaxCallBytes)));
    } else if (key == "max_connections") {
      limits.maxConnections = count(f);
    } else if (key == "max_connections_per_peer") {
      limits.maxConnectionsPerPeer = count(f);
    } else if (key == "max_pending_connections") {
      limits.maxPendingConnections = count(f);
    } else if (key == "max_pending_per_peer") {
      limits.maxPendingPerPeer = count(f);
    } else if (key == "handshake_timeout") {
      limits.handshakeTimeout = f.duration(seconds(1), seconds(300));
    } else if (key == "request_timeout") {
      limits.requestTimeout = f.duration(seconds(1), seconds(3600));
    } else if (key == "idle_timeout") {
      limits.idleTimeout = f.duration(seconds(1), seconds(3600));
    } else if (key == "peer_rate_per_minute") {
      limits.peerRatePerMinute = rate(f);
    } else if (key == "peer_rate_burst") {
      limits.peerRateBurst = rate(f);
    } else if (key == "rate_per_minute") {
      limits.ratePerMinute = rate(f);
    } else {
      limits.rateBurst = rate(f);
    }
  }
}

// Two listeners on one address would fail at start with a bind error that
// names neither key.
void checkDistinctListeners(const Field& top, const ServerConfig& out) {
  const std::array<std::tuple<const char*, bool, const ListenAddress*>, 4> listeners = {{
      {"xmlrpc.listen", out.xmlrpc.enabled, &out.xmlrpc.listen},
      {"web.listen", out.web.enabled, &out.web.listen},
      {"portal.listen", out.portal.enabled, &out.portal.listen},
      {"metrics.listen", out.metrics.enabled, &out.metrics.listen},
  }};
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    for (std::size_t j = i + 1; j < listeners.size(); ++j) {
      const auto& [nameA, onA, a] = listeners[i];
      const auto& [nameB, onB, b] = listeners[j];
      if (onA && onB && a->port != 0 && a->port == b->port && a->host == b->host) {
        top.fail(std::string(nameA) + " and " + nameB + " are the same address");
      }
    }
  }
}

}  // namespace

ServerConfig parseServerConfig(const std::string& text, const std::string& sourceName,
                               const std::filesystem::path& baseDir) {
  const Context ctx(sourceName, baseDir, yaml::throwFormatted<ConfigError>, readerOptions());
  const Field top = ctx.load(text);
  ServerConfig out;
  out.sourceText = text;
  out.masterKeyFile = baseDir / "master.key";
  out.tls.certificate = baseDir / "server.crt";
  out.tls.key = baseDir / "server.key";
  bool haveDatabase = false;
  for (const auto& [name, field] :
       top.entries({"database", "xmlrpc", "web", "tls", "master_key_file", "public_addresses",
                    "certificate_names", "limits", "ingest", "mailbox", "auth", "portal", "notify",
                    "alerts", "reports", "metrics", "log_level"})) {
    if (name == "database") {
      parseDatabase(field, ctx, out);
      haveDatabase = true;
    } else if (name == "xmlrpc") {
      for (const auto& [key, f] : field.entries({"enabled", "listen", "tls"})) {
        if (key == "enabled") {
          out.xmlrpc.enabled = f.boolean();
        } else if (key == "listen") {
          out.xmlrpc.listen = parseListen(f);
        } else {
          // Plain TCP only when the file says so: tls defaults to true.
          out.xmlrpc.tls = f.boolean();
        }
      }
    } else if (name == "web") {
      out.web.enabled = true;
      for (const auto& [key, f] : field.entries({"enabled", "listen"})) {
        if (key == "enabled") {
          out.web.enabled = f.boolean();
        } else {
          out.web.listen = parseListen(f);
        }
      }
    } else if (name == "portal") {
      out.portal.enabled = true;
      for (const auto& [key, f] :
           field.entries({"enabled", "listen", "static_dir", "max_body_bytes"})) {
        if (key == "enabled") {
          out.portal.enabled = f.boolean();
        } else if (key == "listen") {
          out.portal.listen = parseListen(f);
        } else if (key == "static_dir") {
          out.portal.staticDir = ctx.resolve(f.text());
        } else {
          out.portal.maxBodyBytes = static_cast<std::size_t>(f.integer(1024, 64 << 20));
        }
      }
    } else if (name == "metrics") {
      out.metrics.enabled = true;
      for (const auto& [key, f] : field.entries({"enabled", "listen"})) {
        if (key == "enabled") {
          out.metrics.enabled = f.boolean();
        } else {
          out.metrics.listen = parseListen(f);
        }
      }
    } else if (name == "tls") {
      for (const auto& [key, f] : field.entries({"certificate", "key"})) {
        (key == "certificate" ? out.tls.certificate : out.tls.key) = ctx.resolve(f.text());
      }
    } else if (name == "master_key_file") {
      out.masterKeyFile = ctx.resolve(field.text());
    } else if (name == "public_addresses") {
      for (const auto& f : field.list()) {
        const std::string value = f.text(300);
        checkAddress(f, value);
        out.publicAddresses.push_back(value);
      }
    } else if (name == "certificate_names") {
      for (const auto& f : field.list()) {
        out.certificateNames.push_back(f.text(253));
      }
    } else if (name == "limits") {
      parseLimits(field, out.limits);
    } else if (name == "ingest") {
      for (const auto& [key, f] : field.entries({"workers", "queue_length"})) {
        if (key == "workers") {
          out.ingest.workers = static_cast<int>(f.integer(1, 256));
        } else {
          out.ingest.queueLength = static_cast<int>(f.integer(1, 100'000));
        }
      }
    } else if (name == "mailbox") {
      if (!field.isMap()) {
        field.fail("expected a mapping (see server/README.md, E-mail carrier)");
      }
      out.mailbox.present = true;
    } else if (name == "auth") {
      // server/auth reads its own keys (parseAuthSettings), with their lines.
      if (!field.isMap()) {
        field.fail("expected a mapping (see server/README.md, Users, sign-in and tokens)");
      }
    } else if (name == "notify" || name == "alerts") {
      // server/notify and server/alerts read their own keys, with their lines.
      if (!field.isMap()) {
        field.fail("expected a mapping (see server/README.md, Alerts and notifications)");
      }
    } else if (name == "reports") {
      // server/reports reads its own keys (parseReportSettings).
      if (!field.isMap()) {
        field.fail("expected a mapping (see server/reports/README.md)");
      }
    } else {
      try {
        out.logLevel = util::parseLogLevel(field.text());
      } catch (const std::invalid_argument&) {
        field.fail("expected debug, info, warning or error");
      }
    }
  }
  if (!haveDatabase) {
    top.fail("missing section 'database' (uri: postgresql://...)");
  }
  if (!out.xmlrpc.enabled && !out.web.enabled && !out.mailbox.present) {
    top.fail("no receiver enabled: enable xmlrpc, web or mailbox");
  }
  checkDistinctListeners(top, out);
  return out;
}

ServerConfig loadServerConfig(const std::filesystem::path& path) {
  std::string text;
  try {
    text = util::readFile(path, kMaxConfigBytes);
  } catch (const std::exception& e) {
    throw ConfigError(e.what());
  }
  std::filesystem::path base = path.parent_path();
  if (base.empty()) {
    base = ".";
  }
  ServerConfig config = parseServerConfig(text, path.string(), std::filesystem::absolute(base));
  config.sourcePath = path;
  return config;
}

std::vector<std::string> enrollmentAddresses(const ServerConfig& config) {
  if (!config.publicAddresses.empty()) {
    return config.publicAddresses;
  }
  auto hostOf = [](const ListenAddress& a) {
    if (a.host == "0.0.0.0" || a.host == "::") {
      std::array<char, 256> name{};
      if (::gethostname(name.data(), name.size() - 1) == 0) {
        return std::string(name.data());
      }
      return std::string("localhost");
    }
    return a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host;
  };
  std::vector<std::string> out;
  if (config.xmlrpc.enabled) {
    out.push_back(std::string(config.xmlrpc.tls ? "xmlrpcs://" : "xmlrpc://") +
                  hostOf(config.xmlrpc.listen) + ":" + std::to_string(config.xmlrpc.listen.port));
  }
  if (config.web.enabled) {
    out.push_back("https://" + hostOf(config.web.listen) + ":" +
                  std::to_string(config.web.listen.port) + "/RPC2");
  }
  return out;
}

}  // namespace openmps::server::config
