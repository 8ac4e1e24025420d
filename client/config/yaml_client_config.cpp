// The YAML side of client_config.hpp, read with shared/yaml.
#include <algorithm>
#include <cctype>
#include <utility>

#include "client/config/client_config.hpp"
#include "shared/util/args.hpp"
#include "shared/util/duration.hpp"
#include "shared/util/files.hpp"
#include "shared/yaml/yaml_field.hpp"

namespace openmps::client::config {
namespace {

using discovery::RangeError;
using discovery::RangeSpec;

constexpr std::size_t kMaxSecretFileBytes = 4096;
constexpr std::size_t kMaxListItems = 4096;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

using yaml::Context;
using yaml::Field;

[[noreturn]] void throwConfigError(const std::string& source, const yaml::Mark& mark,
                                   const std::string& path, const std::string& problem) {
  throw ConfigError(yaml::formatError(source, mark, path, problem), path, problem);
}

yaml::Options readerOptions() {
  yaml::Options options;
  options.maxListItems = kMaxListItems;
  options.emptyDocumentIsMapping = true;  // an empty file means all defaults
  return options;
}

std::chrono::seconds readDuration(const Field& field, std::chrono::seconds min,
                                  std::chrono::seconds max) {
  const std::string value = field.scalar();
  const auto parsed = util::parseDuration(value);
  if (!parsed) {
    field.fail("expected a duration such as 90s, 5m, 3h, 1d or 1h30m, got '" + value + "'");
  }
  if (*parsed < min || *parsed > max) {
    field.fail("must be from " + util::formatDuration(min) + " to " + util::formatDuration(max) +
               ", got '" + value + "'");
  }
  return *parsed;
}

// "password: x" or "password_file: /etc/...": the file keeps secrets out of
// a config file that is shared or kept in version control.
class SecretField {
 public:
  void set(const Field& field, const Context& ctx, bool fromFile) {
    if (given_) field.fail("give either " + base_ + " or " + base_ + "_file, not both");
    given_ = true;
    mark_ = field.mark();
    path_ = field.path();
    if (!fromFile) {
      value_ = util::Secret(field.text());
      return;
    }
    const auto file = ctx.resolve(field.text(4096));
    std::string content;
    try {
      content = util::readFile(file, kMaxSecretFileBytes);
    } catch (const std::exception& e) {
      field.fail(e.what());
    }
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) {
      content.pop_back();
    }
    if (content.empty()) field.fail(file.string() + " is empty");
    value_ = util::Secret(std::move(content));
  }
  explicit SecretField(std::string base) : base_(std::move(base)) {}
  bool given() const { return given_; }
  const util::Secret& value() const { return value_; }
  const std::string& path() const { return path_; }
  const yaml::Mark& mark() const { return mark_; }

 private:
  std::string base_;
  bool given_ = false;
  util::Secret value_;
  std::string path_;
  yaml::Mark mark_;
};

snmp::AuthProtocol parseAuthProtocol(const Field& field) {
  const std::string name = lower(field.text());
  if (name == "md5") return snmp::AuthProtocol::kMd5;
  if (name == "sha" || name == "sha1" || name == "sha-1") return snmp::AuthProtocol::kSha1;
  if (name == "sha-224" || name == "sha224") return snmp::AuthProtocol::kSha224;
  if (name == "sha-256" || name == "sha256") return snmp::AuthProtocol::kSha256;
  if (name == "sha-384" || name == "sha384") return snmp::AuthProtocol::kSha384;
  if (name == "sha-512" || name == "sha512") return snmp::AuthProtocol::kSha512;
  field.fail("unknown authentication protocol '" + field.scalar() +
             "' (expected MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512)");
}

snmp::PrivProtocol parsePrivProtocol(const Field& field) {
  const std::string name = lower(field.text());
  if (name == "des") return snmp::PrivProtocol::kDes;
  if (name == "aes" || name == "aes-128" || name == "aes128") return snmp::PrivProtocol::kAes128;
  if (name == "aes-192" || name == "aes192") return snmp::PrivProtocol::kAes192;
  if (name == "aes-256" || name == "aes256") return snmp::PrivProtocol::kAes256;
  field.fail("unknown privacy protocol '" + field.scalar() +
             "' (expected DES, AES, AES-192 or AES-256)");
}

CredentialSet parseCredential(const Field& field, const Context& ctx) {
  CredentialSet out;
  std::optional<Field> versionField;
  SecretField community("community");
  SecretField authPassword("auth_password");
  SecretField privPassword("priv_password");
  std::optional<Field> authProtocol;
  std::optional<Field> privProtocol;
  std::optional<Field> user;
  std::optional<Field> context;
  bool hasName = false;
  for (auto& [key, value] :
       field.entries({"name", "version", "community", "community_file", "user", "auth_protocol",
                      "auth_password", "auth_password_file", "priv_protocol", "priv_password",
                      "priv_password_file", "context"})) {
    if (key == "name") {
      out.name = value.text(64);
      if (out.name.empty()) value.fail("must not be empty");
      hasName = true;
    } else if (key == "version") {
      versionField = value;
    } else if (key == "community" || key == "community_file") {
      community.set(value, ctx, key.ends_with("_file"));
    } else if (key == "auth_password" || key == "auth_password_file") {
      authPassword.set(value, ctx, key.ends_with("_file"));
    } else if (key == "priv_password" || key == "priv_password_file") {
      privPassword.set(value, ctx, key.ends_with("_file"));
    } else if (key == "auth_protocol") {
      authProtocol = value;
    } else if (key == "priv_protocol") {
      privProtocol = value;
    } else if (key == "user") {
      user = value;
    } else if (key == "context") {
      context = value;
    }
  }
  if (!hasName) field.fail("every credential set needs a name (networks refer to it)");
  if (!versionField) field.fail("version is missing (1, 2c or 3)");
  const std::string version = lower(versionField->text());
  snmp::Credentials& c = out.credentials;
  if (version == "1" || version == "2c") {
    c.version = version == "1" ? snmp::Version::kV1 : snmp::Version::kV2c;
    if (!community.given())
      field.fail("version " + version + " needs community (or community_file)");
    c.community = community.value();
    for (const auto* v3 : {&user, &authProtocol, &privProtocol, &context}) {
      if (*v3) (*v3)->fail("only for version 3");
    }
    if (authPassword.given())
      ctx.fail(authPassword.mark(), authPassword.path(), "only for version 3");
    if (privPassword.given())
      ctx.fail(privPassword.mark(), privPassword.path(), "only for version 3");
    return out;
  }
  if (version != "3")
    versionField->fail("expected 1, 2c or 3, got '" + versionField->scalar() + "'");
  c.version = snmp::Version::kV3;
  c.community = util::Secret();
  if (community.given()) ctx.fail(community.mark(), community.path(), "only for versions 1 and 2c");
  if (!user) field.fail("version 3 needs user");
  c.user = user->text(32);
  if (c.user.empty()) user->fail("must not be empty");
  if (context) c.context = context->text(32);
  if (authProtocol) c.authProtocol = parseAuthProtocol(*authProtocol);
  if (privProtocol) c.privProtocol = parsePrivProtocol(*privProtocol);
  // USM derives keys from passwords of at least 8 characters (RFC 3414).
  if (c.authProtocol != snmp::AuthProtocol::kNone) {
    if (!authPassword.given())
      field.fail("auth_protocol needs auth_password (or auth_password_file)");
    if (authPassword.value().reveal().size() < 8) {
      ctx.fail(authPassword.mark(), authPassword.path(),
               "must be at least 8 characters (RFC 3414)");
    }
    c.authPassword = authPassword.value();
  } else if (authPassword.given()) {
    ctx.fail(authPassword.mark(), authPassword.path(), "set auth_protocol too");
  }
  if (c.privProtocol != snmp::PrivProtocol::kNone) {
    if (c.authProtocol == snmp::AuthProtocol::kNone) {
      privProtocol->fail("privacy needs authentication: set auth_protocol too");
    }
    if (!privPassword.given())
      field.fail("priv_protocol needs priv_password (or priv_password_file)");
    if (privPassword.value().reveal().size() < 8) {
      ctx.fail(privPassword.mark(), privPassword.path(),
               "must be at least 8 characters (RFC 3414)");
    }
    c.privPassword = privPassword.value();
  } else if (privPassword.given()) {
    ctx.fail(privPassword.mark(), privPassword.path(), "set priv_protocol too");
  }
  return out;
}

std::vector<RangeSpec> parseRanges(const Field& field, bool allowHosts) {
  std::vector<RangeSpec> out;
  for (const Field& entry : field.list()) {
    try {
      RangeSpec spec = discovery::parseRange(entry.text(300));
      if (!allowHosts && spec.kind == RangeSpec::Kind::kHost) {
        entry.fail("'" + spec.text + "': exclusions take addresses and ranges, not host names");
      }
      out.push_back(std::move(spec));
    } catch (const RangeError& e) {
      entry.fail(e.what());
    }
  }
  return out;
}

Network parseNetwork(const Field& field, const std::vector<CredentialSet>& credentials,
                     std::size_t index) {
  Network out;
  out.name = "network " + std::to_string(index + 1);
  bool hasRanges = false;
  bool hasCredentials = false;
  for (auto& [key, value] : field.entries({"name", "ranges", "exclude", "credentials", "port"})) {
    if (key == "name") {
      out.name = value.text(64);
    } else if (key == "ranges") {
      out.ranges = parseRanges(value, true);
      if (out.ranges.empty()) value.fail("give at least one range");
      hasRanges = true;
    } else if (key == "exclude") {
      out.exclude = parseRanges(value, false);
    } else if (key == "port") {
      out.port = static_cast<std::uint16_t>(value.integer(1, 65535));
    } else if (key == "credentials") {
      hasCredentials = true;
      for (const Field& ref : value.list()) {
        const std::string name = ref.text(64);
        const auto it = std::find_if(credentials.begin(), credentials.end(),
                                     [&](const CredentialSet& c) { return c.name == name; });
        if (it == credentials.end()) {
          std::string known;
          for (const auto& c : credentials) known += (known.empty() ? "" : ", ") + c.name;
          ref.fail("no credential set named '" + name + "' (defined: " + known + ")");
        }
        const auto idx = static_cast<std::size_t>(it - credentials.begin());
        if (std::find(out.credentials.begin(), out.credentials.end(), idx) !=
            out.credentials.end()) {
          ref.fail("'" + name + "' is listed twice");
        }
        out.credentials.push_back(idx);
      }
      if (out.credentials.empty()) value.fail("give at least one credential set name");
    }
  }
  if (!hasRanges) field.fail("ranges is missing");
  if (!hasCredentials) {
    for (std::size_t i = 0; i < credentials.size(); ++i) out.credentials.push_back(i);
  }
  return out;
}

// carrier.smtp: the customer's mail server the e-mail carrier sends through.
SmtpSettings parseSmtp(const Field& field, const Context& ctx) {
  SmtpSettings out;
  out.configured = true;
  SecretField password("password");
  bool portGiven = false;
  for (auto& [key, value] : field.entries({"server", "port", "tls", "user", "password",
                                           "password_file", "from", "to", "ca_file"})) {
    if (key == "server") {
      out.server = value.text(255);
    } else if (key == "port") {
      out.port = static_cast<std::uint16_t>(value.integer(1, 65535));
      portGiven = true;
    } else if (key == "tls") {
      const std::string mode = lower(value.text());
      if (mode != "starttls" && mode != "implicit") {
        value.fail("expected starttls (port 587) or implicit (port 465), got '" + value.scalar() +
                   "'");
      }
      out.implicitTls = mode == "implicit";
    } else if (key == "user") {
      out.user = value.text(255);
    } else if (key == "password" || key == "password_file") {
      password.set(value, ctx, key.ends_with("_file"));
    } else if (key == "from" || key == "to") {
      const std::string address = value.text(255);
      if (address.find('@') == std::string::npos ||
          address.find_first_of(" <>\r\n") != std::string::npos) {
        value.fail("expected a plain e-mail address such as printers@example.com");
      }
      (key == "from" ? out.from : out.to) = address;
    } else if (key == "ca_file") {
      out.caFile = ctx.resolve(value.text(4096));
    }
  }
  if (out.server.empty()) field.fail("server is missing (the SMTP server to send through)");
  if (out.from.empty()) field.fail("from is missing (the sender address of batch mails)");
  if (!portGiven && out.implicitTls) out.port = 465;
  if (password.given()) {
    if (out.user.empty()) ctx.fail(password.mark(), password.path(), "set user too");
    out.password = password.value();
  }
  return out;
}

LocalUiConfig parseLocalUi(const Field& field, const Context& ctx) {
  LocalUiConfig out;
  for (auto& [key, value] : field.entries({"enabled", "listen", "port", "allow_remote", "tls"})) {
    if (key == "enabled") out.enabled = value.boolean();
    if (key == "listen") {
      out.listen = value.text(255);
      if (out.listen.empty()) value.fail("must not be empty (127.0.0.1 serves this machine only)");
    }
    if (key == "port") out.port = static_cast<std::uint16_t>(value.integer(1, 65535));
    if (key == "allow_remote") out.allowRemote = value.boolean();
    if (key == "tls") {
      for (auto& [k, v] : value.entries({"cert", "key"})) {
        (k == "cert" ? out.tlsCert : out.tlsKey) = ctx.resolve(v.text(4096));
      }
    }
  }
  return out;
}

}  // namespace

ClientConfig parseConfig(std::string_view yaml, const std::string& sourceName,
                         const std::filesystem::path& baseDir) {
  const Context ctx(sourceName, baseDir, throwConfigError, readerOptions());
  const Field top = ctx.load(yaml);
  ClientConfig config;

  std::optional<Field> credentialsField;
  std::optional<Field> networksField;
  for (auto& [key, value] :
       top.entries({"data_dir", "pmd_dir", "log_level", "snmp", "intervals", "credentials",
                    "networks", "carrier", "outbox", "local_ui"})) {
    if (key == "data_dir") {
      config.dataDir = ctx.resolve(value.text(4096));
    } else if (key == "pmd_dir") {
      config.pmdDir = ctx.resolve(value.text(4096));
    } else if (key == "log_level") {
      try {
        config.logLevel = util::parseLogLevel(value.text());
      } catch (const std::invalid_argument& e) {
        value.fail(e.what());
      }
    } else if (key == "snmp") {
      for (auto& [k, v] : value.entries({"timeout_ms", "retries", "concurrency"})) {
        if (k == "timeout_ms")
          config.snmp.timeout = std::chrono::milliseconds{v.integer(50, 60'000)};
        if (k == "retries") config.snmp.retries = static_cast<int>(v.integer(0, 10));
        if (k == "concurrency") config.snmp.concurrency = static_cast<int>(v.integer(1, 4096));
      }
    } else if (key == "intervals") {
      using std::chrono::hours;
      using std::chrono::minutes;
      for (auto& [k, v] : value.entries({"discovery", "meter", "status"})) {
        if (k == "discovery")
          config.intervals.discovery = readDuration(v, hours{1}, hours{24 * 92});
        if (k == "meter")
          config.intervals.meter = readDuration(v, kMinMeterInterval, kMaxMeterInterval);
        if (k == "status") config.intervals.status = readDuration(v, minutes{1}, hours{24});
      }
    } else if (key == "credentials") {
      credentialsField = value;
    } else if (key == "networks") {
      networksField = value;
    } else if (key == "carrier") {
      using std::chrono::seconds;
      for (auto& [k, v] : value.entries({"proxy", "connect_timeout", "request_timeout",
                                         "send_interval", "max_batch_items", "smtp"})) {
        if (k == "smtp") config.carrier.smtp = parseSmtp(v, ctx);
        if (k == "proxy") config.carrier.proxy = v.text(1024);
        if (k == "connect_timeout")
          config.carrier.connectTimeout = readDuration(v, seconds{1}, seconds{300});
        if (k == "request_timeout")
          config.carrier.requestTimeout = readDuration(v, seconds{5}, seconds{3600});
        if (k == "send_interval") {
          config.carrier.sendInterval = readDuration(v, seconds{0}, std::chrono::hours{24});
        }
        if (k == "max_batch_items") {
          config.carrier.maxBatchItems = static_cast<std::size_t>(v.integer(1, 10'000));
        }
      }
    } else if (key == "local_ui") {
      config.localUi = parseLocalUi(value, ctx);
    } else if (key == "outbox") {
      for (auto& [k, v] : value.entries({"max_items"})) {
        if (k == "max_items")
          config.outbox.maxItems = static_cast<std::size_t>(v.integer(100, 100'000'000));
      }
    }
  }

  if (credentialsField) {
    for (const Field& entry : credentialsField->list()) {
      CredentialSet set = parseCredential(entry, ctx);
      for (const auto& existing : config.credentials) {
        if (existing.name == set.name) entry.fail("the name '" + set.name + "' is used twice");
      }
      config.credentials.push_back(std::move(set));
    }
  }
  if (config.credentials.empty()) {
    // The factory default of nearly every printer.
    config.credentials.push_back({"public", snmp::Credentials{}});
  }

  if (networksField) {
    const auto entries = networksField->list();
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      Network network = parseNetwork(entries[i], config.credentials, i);
      for (const auto& range : network.ranges) total += range.size();
      if (total > kMaxSweepAddresses) {
        entries[i].fail("the networks add up to more than " + std::to_string(kMaxSweepAddresses) +
                        " addresses (a /8); list the subnets that hold printers");
      }
      config.networks.push_back(std::move(network));
    }
  }
  return config;
}

}  // namespace openmps::client::config
