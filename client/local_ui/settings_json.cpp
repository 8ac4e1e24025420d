#include "client/local_ui/settings_json.hpp"

#include <nlohmann/json.hpp>

namespace openmps::client::local_ui {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxItems = 256;
constexpr std::size_t kMaxText = 300;

json nullIfEmpty(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

// Thrown inside the parser only; turned into ParsedChange at its edge.
struct BadField {
  std::string field;
  std::string reason;
};

std::string textAt(const json& value, const std::string& path) {
  if (!value.is_string()) throw BadField{path, "must be a string"};
  auto text = value.get<std::string>();
  if (text.size() > kMaxText) {
    throw BadField{path, "longer than " + std::to_string(kMaxText) + " characters"};
  }
  return text;
}

std::vector<std::string> textsAt(const json& value, const std::string& path) {
  if (!value.is_array()) throw BadField{path, "must be a list of strings"};
  if (value.size() > kMaxItems) {
    throw BadField{path, "more than " + std::to_string(kMaxItems) + " entries"};
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    out.push_back(textAt(value[i], path + "[" + std::to_string(i) + "]"));
  }
  return out;
}

void onlyKeys(const json& object, const std::string& path,
              std::initializer_list<std::string_view> known) {
  if (!object.is_object()) throw BadField{path.empty() ? "body" : path, "must be an object"};
  for (const auto& [key, value] : object.items()) {
    bool ok = false;
    for (const auto k : known) ok = ok || key == k;
    if (!ok) throw BadField{path.empty() ? key : path + "." + key, "unknown field"};
  }
}

config::NetworkSettings parseNetwork(const json& value, const std::string& path) {
  onlyKeys(value, path, {"name", "ranges", "exclude", "credentials", "port"});
  config::NetworkSettings out;
  if (value.contains("name")) out.name = textAt(value["name"], path + ".name");
  if (!value.contains("ranges")) throw BadField{path + ".ranges", "required"};
  out.ranges = textsAt(value["ranges"], path + ".ranges");
  if (value.contains("exclude")) out.exclude = textsAt(value["exclude"], path + ".exclude");
  if (value.contains("credentials") && !value["credentials"].is_null()) {
    out.credentials = textsAt(value["credentials"], path + ".credentials");
  }
  if (value.contains("port")) {
    const auto& port = value["port"];
    if (!port.is_number_integer() || port.get<std::int64_t>() < 1 ||
        port.get<std::int64_t>() > 65535) {
      throw BadField{path + ".port", "must be a whole number from 1 to 65535"};
    }
    out.port = static_cast<std::uint16_t>(port.get<std::int64_t>());
  }
  return out;
}

std::optional<std::string> optionalText(const json& object, const char* key,
                                        const std::string& path) {
  if (!object.contains(key) || object[key].is_null()) return std::nullopt;
  return textAt(object[key], path + "." + key);
}

config::CredentialChange parseCredential(const json& value, const std::string& path) {
  onlyKeys(value, path,
           {"name", "version", "user", "auth_protocol", "priv_protocol", "context", "community",
            "auth_password", "priv_password", "secret_set"});
  config::CredentialChange out;
  const auto name = optionalText(value, "name", path);
  if (!name || name->empty()) throw BadField{path + ".name", "required"};
  out.name = *name;
  out.version = optionalText(value, "version", path);
  out.user = optionalText(value, "user", path);
  out.authProtocol = optionalText(value, "auth_protocol", path);
  out.privProtocol = optionalText(value, "priv_protocol", path);
  out.context = optionalText(value, "context", path);
  // Only secrets given change; an empty one means "not given" (the page
  // leaves the field empty to keep what is set).
  const auto secret = [&](const char* key) -> std::optional<util::Secret> {
    auto text = optionalText(value, key, path);
    if (!text || text->empty()) return std::nullopt;
    return util::Secret(std::move(*text));
  };
  out.community = secret("community");
  out.authPassword = secret("auth_password");
  out.privPassword = secret("priv_password");
  return out;
}

config::SmtpChange parseSmtp(const json& value) {
  onlyKeys(value, "carrier.smtp",
           {"remove", "server", "port", "tls", "user", "password", "from", "to", "configured",
            "password_set"});
  config::SmtpChange out;
  if (value.contains("remove")) {
    if (!value["remove"].is_boolean())
      throw BadField{"carrier.smtp.remove", "must be true or false"};
    out.remove = value["remove"].get<bool>();
  }
  out.server = optionalText(value, "server", "carrier.smtp");
  if (value.contains("port") && !value["port"].is_null()) {
    const auto& port = value["port"];
    if (!port.is_number_integer() || port.get<std::int64_t>() < 1 ||
        port.get<std::int64_t>() > 65535) {
      throw BadField{"carrier.smtp.port", "must be a whole number from 1 to 65535"};
    }
    out.port = static_cast<std::uint16_t>(port.get<std::int64_t>());
  }
  out.tls = optionalText(value, "tls", "carrier.smtp");
  out.user = optionalText(value, "user", "carrier.smtp");
  out.from = optionalText(value, "from", "carrier.smtp");
  out.to = optionalText(value, "to", "carrier.smtp");
  // Empty: keep the password that is set (the page never has it).
  if (auto password = optionalText(value, "password", "carrier.smtp");
      password && !password->empty()) {
    out.password = util::Secret(std::move(*password));
  }
  return out;
}

void parseCarrier(const json& value, config::ConfigChange& change) {
  onlyKeys(value, "carrier", {"proxy", "send_interval", "smtp"});
  change.proxy = optionalText(value, "proxy", "carrier");
  change.sendInterval = optionalText(value, "send_interval", "carrier");
  if (value.contains("smtp") && !value["smtp"].is_null()) change.smtp = parseSmtp(value["smtp"]);
}

void parseIntervals(const json& value, config::ConfigChange& change) {
  onlyKeys(value, "intervals", {"discovery", "meter", "status"});
  change.discoveryInterval = optionalText(value, "discovery", "intervals");
  change.meterInterval = optionalText(value, "meter", "intervals");
  change.statusInterval = optionalText(value, "status", "intervals");
}

template <typename T, typename Parse>
std::vector<T> parseList(const json& value, const std::string& path, Parse parse) {
  if (!value.is_array()) throw BadField{path, "must be a list"};
  if (value.size() > kMaxItems) {
    throw BadField{path, "more than " + std::to_string(kMaxItems) + " entries"};
  }
  std::vector<T> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    out.push_back(parse(value[i], path + "[" + std::to_string(i) + "]"));
  }
  return out;
}

}  // namespace

json settingsJson(const config::ConfigView& view) {
  json networks = json::array();
  for (const auto& n : view.networks) {
    networks.push_back({{"name", n.name},
                        {"ranges", n.ranges},
                        {"exclude", n.exclude},
                        {"credentials", n.credentials},
                        {"port", n.port}});
  }
  json credentials = json::array();
  for (const auto& c : view.credentials) {
    credentials.push_back({{"name", c.name},
                           {"version", c.version},
                           {"user", nullIfEmpty(c.user)},
                           {"auth_protocol", nullIfEmpty(c.authProtocol)},
                           {"priv_protocol", nullIfEmpty(c.privProtocol)},
                           {"secret_set", c.secretSet}});
  }
  const auto& smtp = view.carrier.smtp;
  json carrier{{"proxy", view.carrier.proxy},
               {"send_interval", view.carrier.sendInterval},
               {"smtp",
                {{"configured", smtp.configured},
                 {"server", smtp.server},
                 {"port", smtp.port},
                 {"tls", smtp.tls},
                 {"user", smtp.user},
                 {"password_set", smtp.passwordSet},
                 {"from", smtp.from},
                 {"to", smtp.to}}}};
  return {{"networks", networks},
          {"credentials", credentials},
          {"carrier", carrier},
          {"intervals",
           {{"discovery", view.intervals.discovery},
            {"meter", view.intervals.meter},
            {"status", view.intervals.status}}}};
}

ParsedChange parseSettingsChange(const json& body) {
  try {
    onlyKeys(body, "", {"networks", "credentials", "intervals", "carrier"});
    if (body.empty()) throw BadField{"body", "give networks, credentials, intervals or carrier"};
    config::ConfigChange change;
    if (body.contains("networks")) {
      change.networks =
          parseList<config::NetworkSettings>(body["networks"], "networks", parseNetwork);
    }
    if (body.contains("credentials")) {
      change.credentials =
          parseList<config::CredentialChange>(body["credentials"], "credentials", parseCredential);
    }
    if (body.contains("intervals")) parseIntervals(body["intervals"], change);
    if (body.contains("carrier")) parseCarrier(body["carrier"], change);
    return {std::move(change), "", ""};
  } catch (const BadField& bad) {
    return {std::nullopt, bad.field, bad.reason};
  }
}

std::string describeChange(const config::ConfigChange& change) {
  std::string out;
  const auto add = [&out](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  if (change.networks) add("networks");
  for (const auto& c : change.credentials) add("credentials (" + c.name + ")");
  if (change.discoveryInterval || change.meterInterval || change.statusInterval) add("intervals");
  if (change.proxy || change.sendInterval) add("carrier");
  if (change.smtp) add(change.smtp->remove ? "e-mail route (removed)" : "e-mail route");
  return out.empty() ? "nothing" : out;
}

}  // namespace openmps::client::local_ui
