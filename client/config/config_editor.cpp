// The config editor: a change applied to the YAML tree (yaml-cpp), read
// back by parseConfig, written atomically.
#include "client/config/config_editor.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "shared/util/duration.hpp"
#include "shared/util/files.hpp"

namespace openmps::client::config {
namespace {

const char* versionName(snmp::Version v) {
  switch (v) {
    case snmp::Version::kV1: return "1";
    case snmp::Version::kV2c: return "2c";
    case snmp::Version::kV3: return "3";
  }
  return "2c";
}

const char* authName(snmp::AuthProtocol p) {
  switch (p) {
    case snmp::AuthProtocol::kNone: return "";
    case snmp::AuthProtocol::kMd5: return "MD5";
    case snmp::AuthProtocol::kSha1: return "SHA";
    case snmp::AuthProtocol::kSha224: return "SHA-224";
    case snmp::AuthProtocol::kSha256: return "SHA-256";
    case snmp::AuthProtocol::kSha384: return "SHA-384";
    case snmp::AuthProtocol::kSha512: return "SHA-512";
  }
  return "";
}

const char* privName(snmp::PrivProtocol p) {
  switch (p) {
    case snmp::PrivProtocol::kNone: return "";
    case snmp::PrivProtocol::kDes: return "DES";
    case snmp::PrivProtocol::kAes128: return "AES";
    case snmp::PrivProtocol::kAes192: return "AES-192";
    case snmp::PrivProtocol::kAes256: return "AES-256";
  }
  return "";
}

CredentialView viewCredential(const CredentialSet& set) {
  const snmp::Credentials& c = set.credentials;
  CredentialView v{set.name,
                   versionName(c.version),
                   c.user,
                   authName(c.authProtocol),
                   privName(c.privProtocol),
                   c.context,
                   false};
  if (c.version == snmp::Version::kV3) {
    v.secretSet = c.authProtocol == snmp::AuthProtocol::kNone || !c.authPassword.empty();
  } else {
    v.secretSet = !c.community.empty();
  }
  return v;
}

std::vector<std::string> rangeTexts(const std::vector<discovery::RangeSpec>& ranges) {
  std::vector<std::string> out;
  out.reserve(ranges.size());
  for (const auto& r : ranges) out.push_back(r.text);
  return out;
}

YAML::Node networkNode(const NetworkSettings& n) {
  YAML::Node node(YAML::NodeType::Map);
  if (!n.name.empty()) node["name"] = n.name;
  node["ranges"] = n.ranges;
  if (!n.exclude.empty()) node["exclude"] = n.exclude;
  if (!n.credentials.empty()) node["credentials"] = n.credentials;
  if (n.port != 161) node["port"] = n.port;
  return node;
}

// value given: set key (and drop key_file); "" for removable keys drops both.
void setSecret(YAML::Node node, const std::string& key, const std::optional<util::Secret>& value) {
  if (!value) return;
  node.remove(key + "_file");
  node[key] = value->reveal();
}

void setText(YAML::Node node, const std::string& key, const std::optional<std::string>& value,
             bool emptyRemoves) {
  if (!value) return;
  if (value->empty() && emptyRemoves) {
    node.remove(key);
  } else {
    node[key] = *value;
  }
}

YAML::Node findCredential(YAML::Node list, const std::string& name) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    YAML::Node entry = list[i];
    if (entry.IsMap() && entry["name"] && entry["name"].Scalar() == name) return entry;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

void applyCredential(YAML::Node root, const CredentialChange& change) {
  if (!root["credentials"] || !root["credentials"].IsSequence()) {
    root["credentials"] = YAML::Node(YAML::NodeType::Sequence);
  }
  YAML::Node list = root["credentials"];
  YAML::Node entry = findCredential(list, change.name);
  if (!entry.IsDefined()) {
    entry = YAML::Node(YAML::NodeType::Map);
    entry["name"] = change.name;
    list.push_back(entry);
    entry = list[list.size() - 1];
  }
  setText(entry, "version", change.version, false);
  setText(entry, "user", change.user, true);
  setText(entry, "auth_protocol", change.authProtocol, true);
  setText(entry, "priv_protocol", change.privProtocol, true);
  setText(entry, "context", change.context, true);
  setSecret(entry, "community", change.community);
  setSecret(entry, "auth_password", change.authPassword);
  setSecret(entry, "priv_password", change.privPassword);
}

void removeCredential(YAML::Node root, const std::string& name) {
  if (!root["credentials"] || !root["credentials"].IsSequence()) return;
  YAML::Node kept(YAML::NodeType::Sequence);
  for (const auto& entry : root["credentials"]) {
    if (!(entry.IsMap() && entry["name"] && entry["name"].Scalar() == name)) kept.push_back(entry);
  }
  root["credentials"] = kept;
}

void applySmtp(YAML::Node root, const SmtpChange& change) {
  if (change.remove) {
    if (root["carrier"]) root["carrier"].remove("smtp");
    return;
  }
  YAML::Node smtp = root["carrier"]["smtp"];
  setText(smtp, "server", change.server, false);
  if (change.port) smtp["port"] = *change.port;
  setText(smtp, "tls", change.tls, false);
  setText(smtp, "user", change.user, true);
  setSecret(smtp, "password", change.password);
  setText(smtp, "from", change.from, false);
  setText(smtp, "to", change.to, true);
}

std::string errnoText(const std::string& what, const std::filesystem::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

// One fd, closed on every path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

ConfigView viewConfig(const ClientConfig& config) {
  ConfigView view;
  for (const auto& n : config.networks) {
    NetworkSettings s{n.name, rangeTexts(n.ranges), rangeTexts(n.exclude), {}, n.port};
    for (const auto idx : n.credentials) s.credentials.push_back(config.credentials.at(idx).name);
    view.networks.push_back(std::move(s));
  }
  for (const auto& c : config.credentials) view.credentials.push_back(viewCredential(c));
  view.intervals = {util::formatDuration(config.intervals.discovery),
                    util::formatDuration(config.intervals.meter),
                    util::formatDuration(config.intervals.status)};
  const auto& smtp = config.carrier.smtp;
  view.carrier = {
      config.carrier.proxy, util::formatDuration(config.carrier.sendInterval),
      SmtpView{smtp.configured, smtp.server, smtp.port, smtp.implicitTls ? "implicit" : "starttls",
               smtp.user, !smtp.password.empty(), smtp.from, smtp.to}};
  return view;
}

std::string applyChange(std::string_view yaml, const ConfigChange& change) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw ConfigError(std::string("not valid YAML: ") + e.what());
  }
  if (root.IsNull() || !root.IsDefined()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) throw ConfigError("the configuration is not a mapping of keys");

  if (change.networks) {
    YAML::Node list(YAML::NodeType::Sequence);
    for (const auto& n : *change.networks) list.push_back(networkNode(n));
    root["networks"] = list;
  }
  for (const auto& name : change.removeCredentials) removeCredential(root, name);
  for (const auto& c : change.credentials) applyCredential(root, c);
  if (change.discoveryInterval) root["intervals"]["discovery"] = *change.discoveryInterval;
  if (change.meterInterval) root["intervals"]["meter"] = *change.meterInterval;
  if (change.statusInterval) root["intervals"]["status"] = *change.statusInterval;
  if (change.proxy) setText(root["carrier"], "proxy", change.proxy, true);
  if (change.sendInterval) root["carrier"]["send_interval"] = *change.sendInterval;
  if (change.smtp) applySmtp(root, *change.smtp);

  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

void writeFileAtomically(const std::filesystem::path& path, std::string_view text) {
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  mode_t mode = 0600;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;
  const auto tmp = dir / ("." + path.filename().string() + ".tmp");
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0) throw ConfigError(errnoText("cannot create", tmp));
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw ConfigError(errnoText("cannot write", tmp));
      done += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd.get(), mode) != 0 || ::fsync(fd.get()) != 0) {
      throw ConfigError(errnoText("cannot sync", tmp));
    }
    if (::close(fd.release()) != 0) throw ConfigError(errnoText("cannot close", tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string message = errnoText("cannot replace", path);
    ::unlink(tmp.c_str());
    throw ConfigError(message);
  }
  Fd dirFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dirFd.get() < 0 || ::fsync(dirFd.get()) != 0) {
    throw ConfigError(errnoText("cannot sync directory", dir));
  }
}

ConfigEditor::ConfigEditor(std::filesystem::path file) : file_(std::move(file)) {}

std::filesystem::path ConfigEditor::lastGoodPath() const {
  return std::filesystem::path(file_.string() + ".last-good");
}

ConfigView ConfigEditor::view() const {
  const std::lock_guard lock(mutex_);
  return viewConfig(loadConfig(file_));
}

EditResult ConfigEditor::apply(const ConfigChange& change) {
  const std::lock_guard lock(mutex_);
  EditResult out;
  try {
    const std::string current = util::readFile(file_, kMaxConfigBytes);
    const std::string next = applyChange(current, change);
    const auto base = std::filesystem::absolute(file_).parent_path();
    auto config = std::make_shared<ClientConfig>(parseConfig(next, file_.string(), base));
    config->sourcePath = file_;
    writeFileAtomically(lastGoodPath(), current);
    writeFileAtomically(file_, next);
    out.config = std::move(config);
  } catch (const ConfigError& e) {
    out.error = e.what();
    out.field = e.field();
    out.reason = e.problem().empty() ? out.error : e.problem();
  } catch (const std::exception& e) {
    out.error = e.what();
    out.reason = out.error;
  }
  return out;
}

}  // namespace openmps::client::config
