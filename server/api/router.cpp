#include "server/api/router.hpp"

#include <pqxx/pqxx>

#include "server/api/problem.hpp"
#include "server/auth/pg_auth_store.hpp"
#include "server/store/pg_api_role.hpp"
#include "shared/util/json_fields.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::api {
namespace {

constexpr std::string_view kLog = "api";

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

auth::Credentials credentialsOf(const ApiRequest& request) {
  auth::Credentials c;
  c.sessionCookie = request.cookie(auth::kSessionCookie);
  const std::string authorization = request.header("authorization");
  if (authorization.starts_with("Bearer ")) c.bearerToken = authorization.substr(7);
  c.csrfHeader = request.header("x-csrf-token");
  c.changesState = request.changesState();
  c.peerAddress = request.peer;
  return c;
}

// Problem types are written with hyphens.
std::string slug(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '_') c = '-';
  }
  return out;
}

}  // namespace

const auth::Caller& RequestContext::caller() const {
  if (!hasCaller()) throw ApiError(401, "unauthenticated", "sign in first");
  return *auth_->caller;
}

const auth::Authentication& RequestContext::authentication() const {
  if (auth_ == nullptr) throw ApiError(401, "unauthenticated", "sign in first");
  return *auth_;
}

std::int64_t RequestContext::idParam(const std::string& name) const {
  const std::string& text = param(name);
  std::int64_t value = 0;
  if (text.empty() || text.size() > 18) throw ApiError(404, "not-found", "no such " + name);
  for (const char c : text) {
    if (c < '0' || c > '9')
      throw ApiError(404, "not-found", "no such " + name + ": '" + text + "'");
    value = value * 10 + (c - '0');
  }
  if (value <= 0) throw ApiError(404, "not-found", "no such " + name);
  return value;
}

const std::string& RequestContext::param(const std::string& name) const {
  static const std::string kEmpty;
  const auto it = params_.find(name);
  return it == params_.end() ? kEmpty : it->second;
}

bool matchPath(const std::string& pattern, const std::string& path,
               std::map<std::string, std::string>& params) {
  const auto want = segments(pattern);
  const auto got = segments(path);
  if (want.size() != got.size()) return false;
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      found[std::string(want[i].substr(1, want[i].size() - 2))] = std::string(got[i]);
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

Router::Router(PgPool& pool, const auth::Authenticator& authenticator, std::string apiRole)
    : pool_(pool), authenticator_(authenticator), apiRole_(std::move(apiRole)) {}

void Router::add(Route route) {
  routes_.push_back(std::move(route));
}

std::vector<std::string> Router::operationsFor(const auth::Caller& caller, bool complete) const {
  std::vector<std::string> out;
  for (const auto& route : routes_) {
    if (route.access == Access::kPublic) continue;
    if (!complete && route.access != Access::kSignInStep) continue;
    if (!route.roles.empty() && !route.roles.contains(caller.role)) continue;
    if (route.unrestrictedOnly && caller.restricted()) continue;
    out.push_back(route.operationId);
  }
  return out;
}

ApiResponse Router::handle(const ApiRequest& request, std::string* operation) const {
  std::string allowed;
  for (const auto& route : routes_) {
    std::map<std::string, std::string> params;
    if (!matchPath(route.pattern, request.path, params)) continue;
    if (route.method == request.method) {
      if (operation != nullptr) *operation = route.operationId;
      return run(route, request, std::move(params));
    }
    allowed += (allowed.empty() ? "" : ", ") + route.method;
  }
  if (!allowed.empty()) {
    ApiResponse r =
        problem(405, "method-not-allowed", request.method + " is not allowed on " + request.path);
    r.set("Allow", allowed);
    return r;
  }
  return problem(404, "not-found", "no operation at " + request.path);
}

ApiResponse Router::run(const Route& route, const ApiRequest& request,
                        std::map<std::string, std::string> params) const {
  ApiResponse response;
  try {
    pool_.transact([&](pqxx::transaction_base& txn) {
      std::optional<auth::Authentication> authentication;
      if (route.access != Access::kPublic) {
        auth::PgAuthStore store(txn);
        authentication = authenticator_.authenticate(store, credentialsOf(request),
                                                     route.access == Access::kSignInStep);
        if (!authentication->ok()) {
          response =
              problem(auth::httpStatus(authentication->refusal),
                      slug(auth::toString(authentication->refusal)), authentication->message);
          return Finish::kCommit;  // an expired session is deleted for good
        }
        if (!route.roles.empty() && !route.roles.contains(authentication->caller->role)) {
          response =
              problem(403, "forbidden",
                      "the role " + std::string(auth::toString(authentication->caller->role)) +
                          " may not " + route.operationId);
          return Finish::kRollback;
        }
        if (route.unrestrictedOnly && authentication->caller->restricted()) {
          response = problem(403, "forbidden",
                             "an account restricted to sites or device groups may not " +
                                 route.operationId + " (it covers whole organisations)");
          return Finish::kRollback;
        }
      }
      if (authentication && route.access == Access::kSignedIn && route.scope == Scope::kCaller) {
        const auto& caller = *authentication->caller;
        store::enterTenantScope(txn, apiRole_,
                                {caller.organisationPath, caller.siteIds, caller.deviceGroupIds});
      }
      RequestContext ctx(request, std::move(params), txn,
                         authentication ? &*authentication : nullptr);
      response = route.handler(ctx);
      return Finish::kCommit;
    });
  } catch (const ApiError& e) {
    response = problem(e);
  } catch (const util::JsonFieldError& e) {
    response =
        problem(e.path().empty() ? 400 : 422, "invalid-body", e.what(), {{e.path(), e.what()}});
  } catch (const pqxx::unique_violation& e) {
    // A check the handler made could not see a row outside the caller's
    // scope (a name taken elsewhere): the database's constraint still holds.
    util::logInfo(kLog) << route.operationId << ": " << e.what();
    response = problem(409, "conflict", "that conflicts with an existing entry (a name in use)");
  } catch (const pqxx::insufficient_privilege& e) {
    // Row-level security refused a write outside the caller's scope.
    util::logWarning(kLog) << route.operationId << ": refused by the database: " << e.what();
    response = problem(403, "forbidden", "that is outside the organisations you may change");
  } catch (const pqxx::broken_connection& e) {
    util::logError(kLog) << route.operationId << ": database unreachable: " << e.what();
    response = problem(503, "unavailable", "the database is unreachable; try again later");
    response.set("Retry-After", "5");
  } catch (const std::exception& e) {
    util::logError(kLog) << route.operationId << " failed: " << e.what();
    response = problem(500, "internal", "the request failed on the server (see its log)");
  }
  return response;
}

}  // namespace openmps::server::api
