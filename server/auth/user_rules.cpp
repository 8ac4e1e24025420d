#include "server/auth/user_rules.hpp"

#include <algorithm>
#include <limits>

#include "server/auth/password_policy.hpp"

namespace openmps::server::auth {
namespace {

bool isCustomerRole(Role role) {
  return role == Role::kCustomerAdmin || role == Role::kCustomerViewer;
}

bool isDealerRole(Role role) {
  return role == Role::kDealerAdmin || role == Role::kDealerTechnician;
}

}  // namespace

std::string roleFitProblem(Role role, std::string_view kind) {
  const bool fits = (role == Role::kRootAdmin && kind == "root") ||
                    (isDealerRole(role) && kind == "dealer") ||
                    (isCustomerRole(role) && kind == "customer");
  if (fits) return {};
  return "the role " + std::string(toString(role)) + " does not fit a " + std::string(kind) +
         " organisation (root: root_admin; dealer: dealer_admin, dealer_technician; customer: "
         "customer_admin, customer_viewer)";
}

bool managesUsers(const Caller& caller) {
  return !caller.restricted() &&
         (caller.role == Role::kRootAdmin || caller.role == Role::kDealerAdmin ||
          caller.role == Role::kCustomerAdmin);
}

std::string grantProblem(const Caller& actor, Role role,
                         const std::vector<std::int64_t>& targetPath) {
  if (!managesUsers(actor)) {
    return "the role " + std::string(toString(actor.role)) + " cannot manage users";
  }
  const bool inSubtree =
      std::find(targetPath.begin(), targetPath.end(), actor.organisationId) != targetPath.end();
  if (!inSubtree) return "the organisation is outside the caller's";
  switch (actor.role) {
    case Role::kRootAdmin: return {};
    case Role::kDealerAdmin:
      if (role == Role::kRootAdmin) return "a dealer admin cannot make root admins";
      return {};
    case Role::kCustomerAdmin:
      if (!isCustomerRole(role)) return "a customer admin can give customer roles only";
      return {};
    default: return "the role " + std::string(toString(actor.role)) + " cannot manage users";
  }
}

std::string usernameProblem(std::string_view username) {
  const std::size_t length = utf8Length(username);
  if (length == std::numeric_limits<std::size_t>::max()) return "the user name is not valid UTF-8";
  if (length == 0) return "the user name is empty";
  if (length > 200) return "the user name is longer than 200 characters";
  if (username.front() == ' ' || username.back() == ' ') {
    return "the user name starts or ends with a space";
  }
  for (const char c : username) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return "the user name contains a control character";
    }
  }
  return {};
}

}  // namespace openmps::server::auth
