#include "server/auth/caller.hpp"

#include <catch2/catch.hpp>

using openmps::server::auth::Caller;
using openmps::server::auth::parseRole;
using openmps::server::auth::Role;
using openmps::server::auth::toString;

TEST_CASE("role names round-trip and nothing else parses", "[server][auth]") {
  for (Role role : {Role::kRootAdmin, Role::kDealerAdmin, Role::kDealerTechnician,
                    Role::kCustomerAdmin, Role::kCustomerViewer}) {
    CHECK(parseRole(toString(role)) == role);
  }
  CHECK(toString(Role::kDealerTechnician) == "dealer_technician");
  CHECK_FALSE(parseRole("Root_Admin"));
  CHECK_FALSE(parseRole(""));
  CHECK_FALSE(parseRole("root_admin "));
}

TEST_CASE("a caller is restricted when it names sites or device groups", "[server][auth]") {
  Caller caller;
  CHECK_FALSE(caller.restricted());
  caller.siteIds = {7};
  CHECK(caller.restricted());
  caller.siteIds.clear();
  caller.deviceGroupIds = {3};
  CHECK(caller.restricted());
}
