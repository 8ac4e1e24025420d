#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "shared/util/clock.hpp"

// Token buckets per key (a source address before authentication, a client
// id after its seal was verified): `perMinute` calls on average, bursts of
// up to `burst`. The table holds at most maxKeys keys (least recently seen
// dropped first), so a flood of new keys cannot grow it.
namespace openmps::server::receiver {

class RateLimiter {
 public:
  RateLimiter(const util::Clock& clock, int perMinute, int burst, std::size_t maxKeys = 100'000);

  // Takes one token for key; false when its bucket is empty.
  bool allow(const std::string& key);
  std::size_t size() const;

 private:
  struct Bucket {
    double tokens;
    util::Clock::MonoTime updated;
    std::list<std::string>::iterator lru;
  };
  const util::Clock& clock_;
  double perSecond_;
  double burst_;
  std::size_t maxKeys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> lru_;  // front: most recently used
};

}  // namespace openmps::server::receiver
