#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "shared/util/secret.hpp"

// Argon2id password hashes through libsodium's crypto_pwhash_str: the
// stored string carries its own salt and cost, so a changed cost applies to
// new hashes and to each old one at its owner's next sign-in.
namespace openmps::server::auth {

class HashGate;

struct HashCost {
  std::uint64_t iterations = 3;         // crypto_pwhash opslimit
  std::size_t memoryBytes = 64u << 20;  // memlimit: 64 MiB
};

class PasswordHasher {
 public:
  // At most maxConcurrent hashes are computed at once (each takes
  // memoryBytes), so a burst of sign-ins cannot exhaust the server's memory.
  explicit PasswordHasher(HashCost cost = {}, int maxConcurrent = 4);
  ~PasswordHasher();
  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  std::string hash(const util::Secret& password) const;
  // False for a wrong password and for anything that is not such a hash.
  bool verify(std::string_view stored, const util::Secret& password) const;
  // Whether stored was made with another cost (or another algorithm).
  bool needsRehash(std::string_view stored) const;
  // Spends the time a verification takes, for a user that does not exist:
  // the answer's timing must not tell whether the name is taken.
  void verifyNothing(const util::Secret& password) const;

  const HashCost& cost() const { return cost_; }

 private:
  HashCost cost_;
  std::unique_ptr<HashGate> gate_;
  std::string dummyHash_;
};

// Checks a cost against libsodium's limits; the problem in words or empty.
std::string hashCostProblem(const HashCost& cost);

}  // namespace openmps::server::auth
