#include "server/auth/caller.hpp"

#include <array>
#include <utility>

namespace openmps::server::auth {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 5> kRoleNames{{
    {Role::kRootAdmin, "root_admin"},
    {Role::kDealerAdmin, "dealer_admin"},
    {Role::kDealerTechnician, "dealer_technician"},
    {Role::kCustomerAdmin, "customer_admin"},
    {Role::kCustomerViewer, "customer_viewer"},
}};

}  // namespace

std::string_view toString(Role role) {
  for (const auto& [value, name] : kRoleNames) {
    if (value == role) return name;
  }
  return "unknown";
}

std::optional<Role> parseRole(std::string_view name) {
  for (const auto& [value, roleName] : kRoleNames) {
    if (roleName == name) return value;
  }
  return std::nullopt;
}

}  // namespace openmps::server::auth
