#include "client/local_ui/local_ui_api.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "client/local_ui/settings_json.hpp"
#include "shared/util/log.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::client::local_ui {
namespace {

using nlohmann::json;

Answer jsonAnswer(int status, const json& body) {
  Answer answer;
  answer.status = status;
  answer.body = body.dump();
  return answer;
}

Answer problem(int status, const std::string& title, const std::string& detail,
               const json& invalidParams = nullptr) {
  json body{{"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail}};
  if (!invalidParams.is_null()) body["invalid_params"] = invalidParams;
  auto answer = jsonAnswer(status, body);
  answer.contentType = "application/problem+json";
  return answer;
}

Answer fieldProblem(const std::string& name, const std::string& reason) {
  return problem(400, "Bad Request", name + ": " + reason,
                 json::array({json{{"name", name}, {"reason", reason}}}));
}

json timeOrNull(const std::optional<util::Clock::WallTime>& at) {
  return at ? json(util::formatRfc3339(*at)) : json(nullptr);
}

// The body as a JSON object, or nothing when it is not one.
std::optional<json> objectBody(const std::string& body) {
  auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

std::optional<std::string> stringField(const json& body, const char* name) {
  const auto found = body.find(name);
  if (found == body.end() || !found->is_string()) return std::nullopt;
  return found->get<std::string>();
}

json readingJson(const std::string& address, const model::Reading& reading) {
  json supplies = json::array();
  for (const auto& s : reading.supplies) {
    supplies.push_back({{"index", s.index},
                        {"description", s.description},
                        {"color", s.color.empty() ? json(nullptr) : json(s.color)},
                        {"level_percent", s.levelPercent ? json(*s.levelPercent) : json(nullptr)}});
  }
  return {{"address", address},
          {"kind", reading.identity.kind},
          {"manufacturer", reading.identity.manufacturer},
          {"model", reading.identity.model},
          {"serial", reading.identity.serial},
          {"read_at", util::formatRfc3339(reading.readAt)},
          {"counters", reading.counters},
          {"supplies", supplies},
          {"error", nullptr}};
}

// The app's names (DeviceCondition's toString lives in the daemon's
// implementation; the listener does not need to link it).
const char* conditionName(daemon::DeviceCondition condition) {
  switch (condition) {
    case daemon::DeviceCondition::kNew: return "new";
    case daemon::DeviceCondition::kOk: return "ok";
    case daemon::DeviceCondition::kFailing: return "failing";
    case daemon::DeviceCondition::kOffline: return "offline";
  }
  return "new";
}

json deviceJson(const daemon::DeviceState& device) {
  json out = device.lastReading ? readingJson(device.address, *device.lastReading)
                                : json{{"address", device.address},
                                       {"kind", device.kind},
                                       {"read_at", timeOrNull(device.lastReadAt)},
                                       {"counters", json::object()},
                                       {"supplies", json::array()}};
  out["state"] = conditionName(device.condition);
  out["failures"] = device.failuresInARow;
  out["error"] = device.error.empty() ? json(nullptr) : json(device.error);
  return out;
}

const char* levelName(util::LogLevel level) {
  switch (level) {
    case util::LogLevel::kDebug: return "debug";
    case util::LogLevel::kInfo: return "info";
    case util::LogLevel::kWarning: return "warning";
    case util::LogLevel::kError: return "error";
  }
  return "info";
}

json envelopeJson(const outbox::SentEnvelope& e) {
  return {{"id", std::to_string(e.id)}, {"sent_at", util::formatRfc3339(e.sentAt)},
          {"carrier", e.carrier},       {"server", e.server},
          {"readings", e.readings},     {"bytes", e.sealedBytes}};
}

bool isApi(const std::string& path) {
  return path.rfind("/api/", 0) == 0;
}

}  // namespace

LocalUiApi::LocalUiApi(daemon::DaemonControl& daemon, PasswordFile& password, SetupCode& setupCode,
                       SignInGate& gate, const StaticFiles& files, bool tls)
    : daemon_(daemon),
      password_(password),
      setupCode_(setupCode),
      gate_(gate),
      files_(files),
      tls_(tls) {}

Answer LocalUiApi::handle(const Request& request) {
  const auto verdict = judge(request.facts);
  Answer answer;
  if (verdict.refusal != Refusal::kNone) {
    answer = problem(verdict.status, "Refused", verdict.detail);
  } else if (!gate_.allowRequest()) {
    answer = problem(429, "Too Many Requests", "too many requests; slow down");
    answer.headers.emplace_back("Retry-After", "1");
  } else {
    answer = route(request);
  }
  for (auto& header : securityHeaders()) answer.headers.push_back(std::move(header));
  return answer;
}

Answer LocalUiApi::route(const Request& request) {
  const auto& path = request.path;
  const auto& method = request.facts.method;
  if (!isApi(path)) {
    if (method != "GET" && method != "HEAD") return problem(405, "Method Not Allowed", path);
    return staticFile(path);
  }
  if (path == "/api/session" && method == "GET") return sessionInfo(request);
  if (path == "/api/session" && method == "POST") return signIn(request);
  if (path == "/api/setup" && method == "POST") return setUp(request);

  const auto session = gate_.touch(sessionFromCookieHeader(request.cookieHeader));
  if (!session) return problem(401, "Unauthorized", "sign in first");
  if (changesState(method) && !equalConstantTime(request.csrfHeader, session->csrfToken)) {
    return problem(403, "Forbidden", "the X-CSRF-Token header is missing or wrong");
  }
  if (path == "/api/session" && method == "DELETE") return signOut(request);
  if (path == "/api/status" && method == "GET") return status();
  if (path == "/api/devices" && method == "GET") return devices();
  if (path == "/api/probe" && method == "POST") return probe(request);
  if (path == "/api/log" && method == "GET") return log();
  if (path == "/api/envelopes" && method == "GET") return envelopes();
  if (path == "/api/settings" && method == "GET") return settings();
  if (path == "/api/settings" && method == "PATCH") return changeSettings(request);
  if (path == "/api/enrollment" && method == "POST") return enrollment(request);
  static const std::string kEnvelopes = "/api/envelopes/";
  if (method == "GET" && path.rfind(kEnvelopes, 0) == 0) {
    return envelope(path.substr(kEnvelopes.size()));
  }
  static const std::string kDevices = "/api/devices/";
  static const std::string kRead = "/read";
  if (method == "POST" && path.rfind(kDevices, 0) == 0 &&
      path.size() > kDevices.size() + kRead.size() &&
      path.compare(path.size() - kRead.size(), kRead.size(), kRead) == 0) {
    return readNow(path.substr(kDevices.size(), path.size() - kDevices.size() - kRead.size()));
  }
  return problem(404, "Not Found", "no such API route: " + method + " " + path);
}

Answer LocalUiApi::staticFile(const std::string& path) const {
  const auto found = files_.find(path == "/" ? "/index.html" : path);
  if (found == files_.end()) return problem(404, "Not Found", "no such file: " + path);
  Answer answer;
  answer.body = found->second;
  const auto dot = found->first.rfind('.');
  const auto ext = dot == std::string::npos ? std::string{} : found->first.substr(dot);
  static const std::map<std::string, std::string> kTypes{{".html", "text/html; charset=utf-8"},
                                                         {".js", "text/javascript; charset=utf-8"},
                                                         {".css", "text/css; charset=utf-8"},
                                                         {".svg", "image/svg+xml"},
                                                         {".json", "application/json"},
                                                         {".png", "image/png"},
                                                         {".ico", "image/x-icon"},
                                                         {".woff2", "font/woff2"}};
  const auto type = kTypes.find(ext);
  answer.contentType = type == kTypes.end() ? "application/octet-stream" : type->second;
  return answer;
}

Answer LocalUiApi::sessionInfo(const Request& request) {
  if (!password_.isSet()) return jsonAnswer(200, {{"state", "setup"}});
  const auto session = gate_.touch(sessionFromCookieHeader(request.cookieHeader));
  if (!session) return jsonAnswer(200, {{"state", "signed_out"}});
  return jsonAnswer(200, {{"state", "signed_in"}, {"csrf_token", session->csrfToken}});
}

Answer LocalUiApi::setUp(const Request& request) {
  if (password_.isSet() || !setupCode_.active()) {
    return problem(409, "Conflict", "the password is already set; sign in instead");
  }
  const auto body = objectBody(request.body);
  if (!body) return problem(400, "Bad Request", "the body must be a JSON object");
  if (const auto locked = gate_.lockedFor()) {
    auto answer = problem(429, "Too Many Requests", "too many wrong attempts; wait");
    answer.headers.emplace_back("Retry-After", std::to_string(locked->count()));
    return answer;
  }
  const auto code = stringField(*body, "setup_code");
  if (!code || !setupCode_.matches(*code)) {
    gate_.recordFailure();
    return fieldProblem("setup_code", "wrong setup code (see the client's log)");
  }
  const auto password = stringField(*body, "password");
  if (!password) return fieldProblem("password", "required");
  const util::Secret secret(*password);
  if (const auto why = passwordProblem(secret); !why.empty()) return fieldProblem("password", why);
  password_.set(secret);
  setupCode_.consume();
  util::logInfo("local_ui") << "password set with the setup code";
  const auto session = gate_.signIn();
  auto answer = jsonAnswer(200, {{"state", "signed_in"}, {"csrf_token", session.csrfToken}});
  answer.headers.emplace_back("Set-Cookie", sessionCookie(session.id, tls_));
  return answer;
}

Answer LocalUiApi::signIn(const Request& request) {
  if (!password_.isSet())
    return problem(409, "Conflict", "no password set yet; use the setup code");
  if (const auto locked = gate_.lockedFor()) {
    auto answer =
        problem(429, "Too Many Requests",
                "too many wrong passwords; try again in " + std::to_string(locked->count()) + " s");
    answer.headers.emplace_back("Retry-After", std::to_string(locked->count()));
    return answer;
  }
  const auto body = objectBody(request.body);
  const auto password = body ? stringField(*body, "password") : std::nullopt;
  if (!password || !password_.verify(util::Secret(*password))) {
    gate_.recordFailure();
    util::logWarning("local_ui") << "wrong password from " << request.facts.peerAddress;
    return problem(401, "Unauthorized", "wrong password");
  }
  const auto session = gate_.signIn();
  auto answer = jsonAnswer(200, {{"state", "signed_in"}, {"csrf_token", session.csrfToken}});
  answer.headers.emplace_back("Set-Cookie", sessionCookie(session.id, tls_));
  return answer;
}

Answer LocalUiApi::signOut(const Request& request) {
  gate_.signOut(sessionFromCookieHeader(request.cookieHeader));
  Answer answer;
  answer.status = 204;
  answer.headers.emplace_back("Set-Cookie", sessionCookie("", tls_));
  return answer;
}

Answer LocalUiApi::status() const {
  const auto state = daemon_.state();
  json carriers = json::array();
  for (const auto& c : state.carriers) {
    carriers.push_back({{"carrier", c.carrier},
                        {"server", c.server},
                        {"last_success_at", timeOrNull(c.lastSuccessAt)},
                        {"last_error", c.lastError.empty() ? json(nullptr) : json(c.lastError)}});
  }
  json warnings = json::array();
  for (const auto& w : state.warnings) warnings.push_back({{"code", w.code}, {"detail", w.detail}});
  return jsonAnswer(
      200,
      {{"enrolled", state.enrolled},
       {"collector_id", state.clientId.empty() ? json(nullptr) : json(state.clientId)},
       {"server", state.carriers.empty() ? json(nullptr) : json(state.carriers[0].server)},
       {"carriers", carriers},
       {"outbox", {{"count", state.outboxCount}, {"oldest_at", timeOrNull(state.outboxOldestAt)}}},
       {"next",
        {{"sweep", timeOrNull(state.nextSweep)},
         {"read", timeOrNull(state.nextRead)},
         {"send", timeOrNull(state.nextSend)}}},
       {"warnings", warnings}});
}

Answer LocalUiApi::devices() const {
  json items = json::array();
  for (const auto& device : daemon_.devices()) items.push_back(deviceJson(device));
  return jsonAnswer(200, {{"items", items}});
}

Answer LocalUiApi::probe(const Request& request) {
  const auto body = objectBody(request.body);
  const auto address = body ? stringField(*body, "address") : std::nullopt;
  if (!address || address->empty() || address->size() > 255) {
    return fieldProblem("address", "an address (host or host:port) is required");
  }
  const auto result = daemon_.probe(*address);
  if (!result.reading) {
    return problem(502, "Bad Gateway", "the device did not answer: " + result.error,
                   json::array({json{{"name", "address"}, {"reason", result.error}}}));
  }
  return jsonAnswer(200, readingJson(*address, *result.reading));
}

Answer LocalUiApi::readNow(const std::string& address) {
  if (daemon_.readNow(address) == daemon::ReadNowResult::kUnknownDevice) {
    return problem(404, "Not Found", "no known device at " + address);
  }
  for (const auto& device : daemon_.devices()) {
    if (device.address == address) return jsonAnswer(202, deviceJson(device));
  }
  return jsonAnswer(202, {{"address", address}});
}

Answer LocalUiApi::log() const {
  json items = json::array();
  for (const auto& line : daemon_.log(daemon::kLogRingLines)) {
    items.push_back({{"at", util::formatRfc3339(line.at)},
                     {"level", levelName(line.level)},
                     {"message", line.message}});
  }
  return jsonAnswer(200, {{"items", items}});
}

Answer LocalUiApi::envelopes() const {
  if (envelopes_ == nullptr) return problem(503, "Service Unavailable", "no envelope log");
  json items = json::array();
  for (const auto& e : envelopes_->list(200, std::nullopt)) items.push_back(envelopeJson(e));
  return jsonAnswer(200, {{"items", items}});
}

Answer LocalUiApi::envelope(const std::string& id) const {
  if (envelopes_ == nullptr) return problem(503, "Service Unavailable", "no envelope log");
  std::uint64_t number = 0;
  const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), number);
  if (id.empty() || ec != std::errc{} || end != id.data() + id.size()) {
    return fieldProblem("id", "a decimal envelope id");
  }
  const auto found = envelopes_->get(number);
  if (!found) return problem(404, "Not Found", "no envelope " + id + " (or dropped as oldest)");
  auto content = json::parse(found->content, nullptr, false);
  if (content.is_discarded()) content = found->content;
  return jsonAnswer(200, {{"envelope", envelopeJson(found->envelope)}, {"content", content}});
}

Answer LocalUiApi::settings() const {
  if (setup_ == nullptr) return problem(503, "Service Unavailable", "settings are not editable");
  try {
    return jsonAnswer(200, settingsJson(setup_->view()));
  } catch (const std::exception& e) {
    // The file was changed by hand since start and does not load now.
    return problem(500, "Internal Server Error", e.what());
  }
}

Answer LocalUiApi::changeSettings(const Request& request) {
  if (setup_ == nullptr) return problem(503, "Service Unavailable", "settings are not editable");
  const auto body = objectBody(request.body);
  if (!body) return fieldProblem("body", "must be a JSON object");
  const auto parsed = parseSettingsChange(*body);
  if (!parsed.change) return fieldProblem(parsed.field, parsed.reason);
  const auto result = setup_->apply(*parsed.change);
  if (!result.ok()) {
    const auto field = result.field.empty() ? std::string("settings") : result.field;
    return problem(
        400, "Bad Request", result.error,
        json::array({json{{"name", field},
                          {"reason", result.reason.empty() ? result.error : result.reason}}}));
  }
  util::logInfo("local_ui") << "settings changed in the local UI: "
                            << describeChange(*parsed.change);
  const auto applied = daemon_.applyConfig(result.config);
  if (!applied.applied) {
    return problem(409, "Conflict",
                   "saved, but the running client keeps its settings until "
                   "it is restarted: " +
                       applied.error);
  }
  return settings();
}

Answer LocalUiApi::enrollment(const Request& request) {
  if (setup_ == nullptr) return problem(503, "Service Unavailable", "enrollment is not possible");
  const auto body = objectBody(request.body);
  const auto text = body ? stringField(*body, "enrollment") : std::nullopt;
  if (!text || text->empty()) {
    return fieldProblem("enrollment", "paste the string the dealer sent (it starts with omps1:)");
  }
  const auto result = setup_->enroll(*text);
  if (!result.enrollment) return fieldProblem("enrollment", result.error);
  const auto applied = daemon_.applyEnrollment(*result.enrollment);
  if (!applied.applied) {
    return problem(
        409, "Conflict",
        "stored, but the running client cannot switch: " + applied.error + "; restart it");
  }
  util::logInfo("local_ui") << "enrolled in the local UI as client " << result.enrollment->clientId;
  return status();
}

}  // namespace openmps::client::local_ui
