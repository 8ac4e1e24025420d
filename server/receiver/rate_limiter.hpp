#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <unordered_map>

#include "shared/util/clock.hpp"

// Per-client token buckets: `perMinute` calls on average, bursts of up to
// `burst`. The table holds at most maxKeys clients (least recently seen
// dropped first), so a flood of made-up client ids cannot grow it.
namespace openmps::server::receiver {

class RateLimiter {
 public:
  RateLimiter(const util::Clock& clock, int perMinute, int burst, std::size_t maxKeys = 100'000);

  // Takes one token for key; false when its bucket is empty.
  bool allow(std::uint64_t key);
  std::size_t size() const;

 private:
  struct Bucket {
    double tokens;
    util::Clock::MonoTime updated;
    std::list<std::uint64_t>::iterator lru;
  };
  const util::Clock& clock_;
  double perSecond_;
  double burst_;
  std::size_t maxKeys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, Bucket> buckets_;
  std::list<std::uint64_t> lru_;  // front: most recently used
};

}  // namespace openmps::server::receiver
