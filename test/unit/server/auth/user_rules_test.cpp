#include "server/auth/user_rules.hpp"

#include <catch2/catch.hpp>

using namespace openmps::server::auth;
using Catch::Matchers::Contains;

namespace {
Caller caller(Role role, std::vector<std::int64_t> path) {
  Caller c;
  c.userId = 1;
  c.role = role;
  c.organisationId = path.back();
  c.organisationPath = std::move(path);
  return c;
}
// root 1; dealers 2 and 3; customers 20 (of 2) and 30 (of 3).
const std::vector<std::int64_t> kRoot{1}, kDealer2{1, 2}, kDealer3{1, 3}, kCustomer20{1, 2, 20},
    kCustomer30{1, 3, 30};
}  // namespace

TEST_CASE("roles fit their kind of organisation", "[server][auth]") {
  CHECK(roleFitProblem(Role::kRootAdmin, "root").empty());
  CHECK(roleFitProblem(Role::kDealerTechnician, "dealer").empty());
  CHECK(roleFitProblem(Role::kCustomerViewer, "customer").empty());
  CHECK_THAT(roleFitProblem(Role::kDealerAdmin, "customer"), Contains("does not fit"));
  CHECK_FALSE(roleFitProblem(Role::kRootAdmin, "dealer").empty());
  CHECK_FALSE(roleFitProblem(Role::kCustomerAdmin, "root").empty());
}

TEST_CASE("administrators grant roles inside their own subtree", "[server][auth]") {
  const auto root = caller(Role::kRootAdmin, kRoot);
  CHECK(grantProblem(root, Role::kRootAdmin, kRoot).empty());
  CHECK(grantProblem(root, Role::kDealerAdmin, kDealer3).empty());

  const auto dealer = caller(Role::kDealerAdmin, kDealer2);
  CHECK(grantProblem(dealer, Role::kDealerTechnician, kDealer2).empty());
  CHECK(grantProblem(dealer, Role::kCustomerAdmin, kCustomer20).empty());
  CHECK_THAT(grantProblem(dealer, Role::kCustomerAdmin, kCustomer30), Contains("outside"));
  CHECK_THAT(grantProblem(dealer, Role::kDealerAdmin, kDealer3), Contains("outside"));
  CHECK_FALSE(grantProblem(dealer, Role::kRootAdmin, kDealer2).empty());

  const auto customer = caller(Role::kCustomerAdmin, kCustomer20);
  CHECK(grantProblem(customer, Role::kCustomerViewer, kCustomer20).empty());
  CHECK_FALSE(grantProblem(customer, Role::kDealerTechnician, kCustomer20).empty());
  CHECK_THAT(grantProblem(customer, Role::kCustomerViewer, kDealer2), Contains("outside"));

  for (Role r : {Role::kDealerTechnician, Role::kCustomerViewer}) {
    const auto c = caller(r, r == Role::kDealerTechnician ? kDealer2 : kCustomer20);
    CHECK_FALSE(managesUsers(c));
    CHECK_THAT(grantProblem(c, Role::kCustomerViewer, kCustomer20), Contains("cannot manage"));
  }
  auto restricted = caller(Role::kCustomerAdmin, kCustomer20);
  restricted.siteIds = {5};
  CHECK_FALSE(managesUsers(restricted));
}

TEST_CASE("user names", "[server][auth]") {
  CHECK(usernameProblem("anna@example.com").empty());
  CHECK(usernameProblem("J\xc3\xbcrgen").empty());
  CHECK_THAT(usernameProblem(""), Contains("empty"));
  CHECK_THAT(usernameProblem(" anna"), Contains("space"));
  CHECK_THAT(usernameProblem("an\tna"), Contains("control"));
  CHECK_THAT(usernameProblem("\xff"), Contains("UTF-8"));
  CHECK_THAT(usernameProblem(std::string(201, 'a')), Contains("200"));
}
