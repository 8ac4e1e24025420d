#include "server/auth/password_hasher.hpp"

#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include <sodium.h>

namespace openmps::server::auth {

// At most n holders at once; std::counting_semaphore wants its maximum at
// compile time.
class HashGate {
 public:
  explicit HashGate(int n) : free_(n) {}
  void enter() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return free_ > 0; });
    --free_;
  }
  void leave() {
    {
      const std::lock_guard lock(mutex_);
      ++free_;
    }
    changed_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int free_;
};

namespace {

class GateTicket {
 public:
  explicit GateTicket(HashGate& gate) : gate_(gate) { gate_.enter(); }
  ~GateTicket() { gate_.leave(); }
  GateTicket(const GateTicket&) = delete;
  GateTicket& operator=(const GateTicket&) = delete;

 private:
  HashGate& gate_;
};

}  // namespace

std::string hashCostProblem(const HashCost& cost) {
  if (cost.iterations < crypto_pwhash_OPSLIMIT_MIN || cost.iterations > 100) {
    return "iterations must be from " + std::to_string(crypto_pwhash_OPSLIMIT_MIN) + " to 100";
  }
  if (cost.memoryBytes < crypto_pwhash_MEMLIMIT_MIN || cost.memoryBytes > (std::size_t{4} << 30)) {
    return "memory must be from 8 KiB to 4 GiB";
  }
  return {};
}

PasswordHasher::PasswordHasher(HashCost cost, int maxConcurrent)
    : cost_(cost), gate_(std::make_unique<HashGate>(maxConcurrent < 1 ? 1 : maxConcurrent)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  if (const auto problem = hashCostProblem(cost); !problem.empty()) {
    throw std::invalid_argument("password hash cost: " + problem);
  }
  dummyHash_ = hash(util::Secret("no user has this password"));
}

PasswordHasher::~PasswordHasher() = default;

std::string PasswordHasher::hash(const util::Secret& password) const {
  char out[crypto_pwhash_STRBYTES];
  const GateTicket ticket(*gate_);
  if (crypto_pwhash_str(out, password.reveal().data(), password.reveal().size(), cost_.iterations,
                        cost_.memoryBytes) != 0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return out;
}

bool PasswordHasher::verify(std::string_view stored, const util::Secret& password) const {
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string terminated(stored);
  const GateTicket ticket(*gate_);
  return crypto_pwhash_str_verify(terminated.c_str(), password.reveal().data(),
                                  password.reveal().size()) == 0;
}

bool PasswordHasher::needsRehash(std::string_view stored) const {
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return true;
  const std::string terminated(stored);
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), cost_.iterations, cost_.memoryBytes) !=
         0;
}

void PasswordHasher::verifyNothing(const util::Secret& password) const {
  (void)verify(dummyHash_, password);
}

}  // namespace openmps::server::auth
