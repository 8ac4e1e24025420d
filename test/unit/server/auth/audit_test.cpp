#include "server/auth/audit.hpp"

#include <catch2/catch.hpp>

using namespace openmps::server::auth;
using Catch::Matchers::Contains;

namespace {
AuditEvent event(std::string action, std::string before = "", std::string after = "") {
  AuditEvent e;
  e.action = std::move(action);
  e.before = std::move(before);
  e.after = std::move(after);
  return e;
}
}  // namespace

TEST_CASE("audit actions read noun.verb", "[server][auth]") {
  CHECK(auditEventProblem(event("user.create")).empty());
  CHECK(auditEventProblem(event("session.sign_in_failed")).empty());
  CHECK(auditEventProblem(event("device.supply.replace")).empty());
  for (const char* bad :
       {"create", "User.create", "user..create", ".user", "user.", "", "user.create!"}) {
    INFO(bad);
    CHECK_THAT(auditEventProblem(event(bad)), Contains("noun.verb"));
  }
}

TEST_CASE("audit entries never hold secrets", "[server][auth]") {
  CHECK(auditEventProblem(event("user.update", R"({"role":"customer_viewer"})",
                                R"({"role":"customer_admin","name":"x"})"))
            .empty());
  CHECK_THAT(auditEventProblem(event("user.update", "", R"({"password":"x"})")),
             Contains("'password', which names a secret"));
  CHECK_THAT(auditEventProblem(event("user.update", R"({"user":{"Password_Hash":"x"}})")),
             Contains("Password_Hash"));
  CHECK_THAT(auditEventProblem(event("api_token.create", "", R"({"token":"omps_x"})")),
             Contains("'token'"));
  CHECK_THAT(auditEventProblem(event("x.y", "", R"({"list":[{"totp_secret":1}]})")),
             Contains("totp_secret"));
  CHECK(auditEventProblem(event("api_token.create", "", R"({"token_id":4,"hint":"omps_abc"})"))
            .empty());
  CHECK(auditEventProblem(event("user.create", "",
                                R"({"has_password":true,"password_change_required":false,)"
                                R"("totp_enabled":true,"token_expires_at":null})"))
            .empty());
  CHECK_THAT(auditEventProblem(event("x.y", "", R"({"new_password":"x"})")),
             Contains("new_password"));
  CHECK_THAT(auditEventProblem(event("x.y", "[1,2]")), Contains("not a JSON object"));
  CHECK_THAT(auditEventProblem(event("x.y", "", "{broken")), Contains("not a JSON object"));
}

TEST_CASE("the actor of a caller, the server and the command line", "[server][auth]") {
  Caller c;
  c.userId = 4;
  const auto a = AuditActor::of(c, "192.0.2.1");
  CHECK(a.userId == 4);
  CHECK(a.name.empty());  // the writer names the user
  CHECK(a.peer == "192.0.2.1");
  CHECK(AuditActor::server().name == "server");
  CHECK(AuditActor::commandLine().name.starts_with("cli:"));
}
