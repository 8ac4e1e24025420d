#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "client/daemon/daemon_control.hpp"
#include "client/local_ui/client_setup.hpp"
#include "client/local_ui/password_file.hpp"
#include "client/local_ui/request_guard.hpp"
#include "client/local_ui/sign_in_gate.hpp"
#include "client/outbox/sent_log.hpp"

// The local UI's HTTP answers, independent of the HTTP library: the
// listener (poco_local_ui_listener) hands in a complete request and writes
// out the answer. Every request passes request_guard's judge() first; the
// API (/api/...) then needs a session except for GET/POST /api/session and
// POST /api/setup, and every state-changing call needs the session's CSRF
// token. The shapes are client/local_ui/api.md.
namespace openmps::client::local_ui {

struct Request {
  RequestFacts facts;
  std::string path;  // without query
  std::string cookieHeader;
  std::string csrfHeader;
  std::string body;
};

struct Answer {
  int status = 200;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// The built web app: path ("/index.html", "/assets/x.js") → content.
using StaticFiles = std::map<std::string, std::string>;

class LocalUiApi {
 public:
  // Everything must outlive the API. tls: whether cookies get Secure.
  LocalUiApi(daemon::DaemonControl& daemon, PasswordFile& password, SetupCode& setupCode,
             SignInGate& gate, const StaticFiles& files, bool tls);

  Answer handle(const Request& request);
  // The sent-envelope log behind /api/envelopes (must outlive the API);
  // without one those calls answer 503.
  void setEnvelopeLog(outbox::SentEnvelopeLog* log) { envelopes_ = log; }
  // The configuration file and enrollment behind /api/settings and
  // /api/enrollment (must outlive the API); without one those answer 503.
  void setClientSetup(ClientSetup* setup) { setup_ = setup; }

 private:
  Answer route(const Request& request);
  Answer staticFile(const std::string& path) const;
  Answer sessionInfo(const Request& request);
  Answer setUp(const Request& request);
  Answer signIn(const Request& request);
  Answer signOut(const Request& request);
  Answer status() const;
  Answer devices() const;
  Answer probe(const Request& request);
  Answer readNow(const std::string& address);
  Answer log() const;
  Answer envelopes() const;
  Answer envelope(const std::string& id) const;
  Answer settings() const;
  Answer changeSettings(const Request& request);
  Answer enrollment(const Request& request);

  daemon::DaemonControl& daemon_;
  PasswordFile& password_;
  SetupCode& setupCode_;
  SignInGate& gate_;
  const StaticFiles& files_;
  bool tls_;
  outbox::SentEnvelopeLog* envelopes_ = nullptr;
  ClientSetup* setup_ = nullptr;
};

}  // namespace openmps::client::local_ui
