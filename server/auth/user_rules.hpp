#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/caller.hpp"

// Who may hold which role where, and who may hand it out. Pure; the API's
// user routes and the command line both ask these before they write.
namespace openmps::server::auth {

// root_admin belongs to the root, dealer_* to a dealer, customer_* to a
// customer. Empty when the role fits the organisation kind ("root",
// "dealer", "customer"); otherwise the problem.
std::string roleFitProblem(Role role, std::string_view organisationKind);

// Whether the caller may create, change or disable users (and API tokens) at all.
bool managesUsers(const Caller& caller);

// Empty when `actor` may give `role` to an account of the organisation
// whose path (root first, the organisation itself last) is targetPath;
// otherwise why not. An administrator works inside its own subtree: a
// dealer admin for its dealer (dealer roles) and its customers (customer
// roles), a customer admin for its customer (customer roles); only a
// root admin makes root or dealer admins of other dealers.
std::string grantProblem(const Caller& actor, Role role,
                         const std::vector<std::int64_t>& targetPath);

// User names: 1 to 200 characters of valid UTF-8, no control characters,
// no spaces at either end. Empty when fine.
std::string usernameProblem(std::string_view username);

inline bool isLocale(std::string_view locale) {
  return locale == "en" || locale == "de" || locale == "fr" || locale == "it";
}

}  // namespace openmps::server::auth
