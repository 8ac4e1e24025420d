#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "server/api/http_types.hpp"
#include "server/api/pg_pool.hpp"
#include "server/auth/authenticator.hpp"

// Routing: each operation is one Route (method, path pattern with {name}
// parameters, who may call it, its handler). The router finds the route,
// opens the request's one transaction, authenticates the caller, checks the
// role and runs the handler; errors become problem+json.
//
// Adding an operation: write its handler beside the others (one file per
// resource, registering its routes in a registerXRoutes(Router&, ...)
// function), add it to openapi.yaml with the same operationId, and the
// tests validate every answer against that file.
namespace openmps::server::api {

enum class Access {
  kPublic,      // no credentials needed (sign-in, OpenID Connect, openapi.json)
  kSignInStep,  // a session also in the middle of its sign-in (second factor, ...)
  kSignedIn,    // a complete session or an API token
};

class RequestContext {
 public:
  RequestContext(const ApiRequest& request, std::map<std::string, std::string> params,
                 pqxx::transaction_base& txn, const auth::Authentication* authentication)
      : request_(request), params_(std::move(params)), txn_(txn), auth_(authentication) {}

  const ApiRequest& request() const { return request_; }
  pqxx::transaction_base& txn() const { return txn_; }
  // The caller; routes with Access::kPublic have none (ApiError 401).
  const auth::Caller& caller() const;
  const auth::Authentication& authentication() const;
  bool hasCaller() const { return auth_ != nullptr && auth_->caller.has_value(); }
  // A path parameter that must be a positive id; 404 otherwise (an id that
  // is not a number names nothing).
  std::int64_t idParam(const std::string& name) const;
  const std::string& param(const std::string& name) const;

 private:
  const ApiRequest& request_;
  std::map<std::string, std::string> params_;
  pqxx::transaction_base& txn_;
  const auth::Authentication* auth_;
};

using Handler = std::function<ApiResponse(RequestContext&)>;

// Which database role a signed-in request runs as. kCaller (the default):
// the API's role in the caller's scope (SET LOCAL ROLE, openmps.org_path),
// where row-level security limits every query to the caller's subtree.
// kOwner: the owner, unrestricted, for the sign-in machinery only (it reads
// users across organisations and writes failures and locks); such a route
// checks the subtree itself. Public and sign-in-step routes run as the owner.
enum class Scope { kCaller, kOwner };

struct Route {
  std::string operationId;
  std::string method;
  std::string pattern;  // "/api/v1/users/{id}"
  Access access = Access::kSignedIn;
  std::set<auth::Role> roles;  // empty: every role
  Handler handler;
  Scope scope = Scope::kCaller;
  // Refused to an account restricted to sites or device groups (reports and
  // notifications cover whole organisations), and so not offered to it by
  // operationsFor.
  bool unrestrictedOnly = false;
};

class Router {
 public:
  // apiRole: the database role of requests in the caller's scope
  // (store::checkApiRole).
  Router(PgPool& pool, const auth::Authenticator& authenticator, std::string apiRole);

  void add(Route route);
  // `operation`, when given, gets the operationId of the route that
  // answered ("" when none matched).
  ApiResponse handle(const ApiRequest& request, std::string* operation = nullptr) const;
  const std::vector<Route>& routes() const { return routes_; }
  // The operationIds this caller's role may call (for the portal, which
  // shows no control the role may not use; the routes refuse anyway).
  // `complete`: false while the session is in the middle of its sign-in.
  std::vector<std::string> operationsFor(const auth::Caller& caller, bool complete) const;

 private:
  ApiResponse run(const Route& route, const ApiRequest& request,
                  std::map<std::string, std::string> params) const;

  PgPool& pool_;
  const auth::Authenticator& authenticator_;
  std::string apiRole_;
  std::vector<Route> routes_;
};

// Whether `path` matches `pattern`; the {name} segments go into params.
bool matchPath(const std::string& pattern, const std::string& path,
               std::map<std::string, std::string>& params);

}  // namespace openmps::server::api
