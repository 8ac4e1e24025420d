#include "server/receiver/rate_limiter.hpp"

#include <algorithm>

namespace openmps::server::receiver {

RateLimiter::RateLimiter(const util::Clock& clock, int perMinute, int burst, std::size_t maxKeys)
    : clock_(clock),
      perSecond_(static_cast<double>(perMinute) / 60.0),
      burst_(static_cast<double>(std::max(burst, 1))),
      maxKeys_(std::max<std::size_t>(maxKeys, 1)) {}

bool RateLimiter::allow(const std::string& key) {
  const std::lock_guard lock(mutex_);
  const auto now = clock_.monotonic();
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= maxKeys_) {
      buckets_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(key);
    it = buckets_.emplace(key, Bucket{burst_, now, lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    const std::chrono::duration<double> elapsed = now - it->second.updated;
    it->second.tokens = std::min(burst_, it->second.tokens + elapsed.count() * perSecond_);
    it->second.updated = now;
  }
  if (it->second.tokens < 1.0) {
    return false;
  }
  it->second.tokens -= 1.0;
  return true;
}

std::size_t RateLimiter::size() const {
  const std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace openmps::server::receiver
