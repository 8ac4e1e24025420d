#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Who is making a request, as the authenticator established it. Light on
// purpose: every handler and the per-request database scope include it.
namespace openmps::server::auth {

enum class Role { kRootAdmin, kDealerAdmin, kDealerTechnician, kCustomerAdmin, kCustomerViewer };

// The wire, config and database name of a role ("root_admin", ...).
std::string_view toString(Role role);
// Inverse of toString; nullopt for anything else (case-sensitive).
std::optional<Role> parseRole(std::string_view name);

struct Caller {
  std::int64_t userId = 0;      // 0 when the caller is an API token
  std::int64_t apiTokenId = 0;  // 0 when the caller signed in with a session
  std::int64_t organisationId = 0;
  // Ids from the root down to organisationId inclusive (organisations.path).
  std::vector<std::int64_t> organisationPath;
  Role role = Role::kCustomerViewer;
  // A restricted account sees only these sites or device groups; both empty
  // means not restricted.
  std::vector<std::int64_t> siteIds;
  std::vector<std::int64_t> deviceGroupIds;
  std::string locale = "en";

  bool restricted() const { return !siteIds.empty() || !deviceGroupIds.empty(); }
};

}  // namespace openmps::server::auth
