#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

// The daemon's "stop now": set once (a signal, a fatal error of the
// sender), seen by every loop. The condition variables registered with
// watch() are woken when it is set; their mutex is taken around the wake,
// so a loop that just found the flag clear cannot sleep through it.
namespace openmps::client::daemon {

class StopFlag {
 public:
  void stop();
  bool stopped() const { return stopped_.load(); }
  // Registered before any thread waits on cv; unwatch before either goes.
  void watch(std::condition_variable& cv, std::mutex& mutex);
  void unwatch(const std::condition_variable& cv);

 private:
  std::mutex mutex_;
  std::atomic<bool> stopped_{false};
  std::vector<std::pair<std::condition_variable*, std::mutex*>> watchers_;
};

}  // namespace openmps::client::daemon
