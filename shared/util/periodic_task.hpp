#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace openmps::util {

// Runs a job on a thread of its own (blocking libraries stay off event
// loops): once at start(), then every `interval`. A job that throws is
// logged under `name` and tried again after `retry`. stop() wakes the
// thread and joins it; the destructor stops. The waits are the only thing
// measured in real time: what the job decides uses its own injected Clock.
class PeriodicTask {
 public:
  PeriodicTask(std::string name, std::function<void()> job, std::chrono::milliseconds interval,
               std::chrono::milliseconds retry);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void start();
  void stop();

 private:
  void loop();

  std::string name_;
  std::function<void()> job_;
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds retry_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace openmps::util
