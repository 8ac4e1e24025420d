#include "server/auth/audit.hpp"

#include <utility>

#include <pwd.h>
#include <unistd.h>

namespace openmps::server::auth {

AuditActor AuditActor::of(const Caller& caller, std::string peer) {
  AuditActor actor;
  actor.userId = caller.userId;
  actor.tokenId = caller.apiTokenId;
  actor.peer = std::move(peer);
  return actor;
}

AuditActor AuditActor::server() {
  AuditActor actor;
  actor.name = "server";
  return actor;
}

AuditActor AuditActor::commandLine() {
  AuditActor actor;
  const uid_t uid = geteuid();
  std::string login = "uid " + std::to_string(uid);
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[1024];
  if (getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr) {
    login = found->pw_name;
  }
  actor.name = "cli:" + login;
  return actor;
}

}  // namespace openmps::server::auth
