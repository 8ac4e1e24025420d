#include "shared/util/periodic_task.hpp"

#include <utility>

#include "shared/util/log.hpp"

namespace openmps::util {

PeriodicTask::PeriodicTask(std::string name, std::function<void()> job,
                           std::chrono::milliseconds interval, std::chrono::milliseconds retry)
    : name_(std::move(name)), job_(std::move(job)), interval_(interval), retry_(retry) {}

PeriodicTask::~PeriodicTask() {
  stop();
}

void PeriodicTask::start() {
  thread_ = std::thread([this] { loop(); });
}

void PeriodicTask::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicTask::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto wait = interval_;
    lock.unlock();
    try {
      job_();
    } catch (const std::exception& e) {
      logWarning(name_) << e.what() << "; trying again in "
                        << std::chrono::duration_cast<std::chrono::seconds>(retry_).count() << " s";
      wait = retry_;
    }
    lock.lock();
    wake_.wait_for(lock, wait, [this] { return stopping_; });
  }
}

}  // namespace openmps::util
