#include "server/auth/password_hasher.hpp"

#include <catch2/catch.hpp>

using openmps::server::auth::HashCost;
using openmps::server::auth::hashCostProblem;
using openmps::server::auth::PasswordHasher;
using openmps::util::Secret;

namespace {
// Cheap enough for unit tests; the server's default is 64 MiB, 3 passes.
constexpr HashCost kCheap{1, 64u << 10};
}  // namespace

TEST_CASE("Argon2id hashes verify the password and nothing else", "[server][auth]") {
  const PasswordHasher hasher(kCheap);
  const std::string stored = hasher.hash(Secret("Kx9!vomit-Prawn"));
  CHECK(stored.starts_with("$argon2id$"));
  CHECK(stored.find("Kx9") == std::string::npos);
  CHECK(hasher.verify(stored, Secret("Kx9!vomit-Prawn")));
  CHECK_FALSE(hasher.verify(stored, Secret("Kx9!vomit-prawn")));
  CHECK_FALSE(hasher.verify("", Secret("x")));
  CHECK_FALSE(hasher.verify("not a hash", Secret("x")));
  CHECK(hasher.hash(Secret("same")) != hasher.hash(Secret("same")));  // salted
}

TEST_CASE("a changed cost asks for a new hash", "[server][auth]") {
  const PasswordHasher cheap(kCheap);
  const PasswordHasher dearer(HashCost{2, 128u << 10});
  const std::string stored = cheap.hash(Secret("pw"));
  CHECK_FALSE(cheap.needsRehash(stored));
  CHECK(dearer.needsRehash(stored));
  CHECK(dearer.verify(stored, Secret("pw")));  // the old hash still verifies
  CHECK(dearer.needsRehash("$2y$10$bcryptlooking"));
}

TEST_CASE("the cost is checked against libsodium's limits", "[server][auth]") {
  CHECK(hashCostProblem(HashCost{}).empty());
  CHECK_FALSE(hashCostProblem(HashCost{0, 64u << 20}).empty());
  CHECK_FALSE(hashCostProblem(HashCost{3, 1024}).empty());
  CHECK_THROWS_AS(PasswordHasher(HashCost{0, 1024}), std::invalid_argument);
}
