#include "client/daemon/stop_flag.hpp"

namespace openmps::client::daemon {

void StopFlag::stop() {
  // Held while waking, so unwatch() cannot return (and its owner go away)
  // while a watcher is being woken. Nobody calls stop() holding a
  // watcher's mutex.
  const std::lock_guard lock(mutex_);
  stopped_ = true;
  for (auto [cv, mutex] : watchers_) {
    { const std::lock_guard watcherLock(*mutex); }
    cv->notify_all();
  }
}

void StopFlag::watch(std::condition_variable& cv, std::mutex& mutex) {
  const std::lock_guard lock(mutex_);
  watchers_.emplace_back(&cv, &mutex);
}

void StopFlag::unwatch(const std::condition_variable& cv) {
  const std::lock_guard lock(mutex_);
  std::erase_if(watchers_, [&cv](const auto& w) { return w.first == &cv; });
}

}  // namespace openmps::client::daemon
