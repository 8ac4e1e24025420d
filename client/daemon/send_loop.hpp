#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "client/config/client_config.hpp"
#include "client/daemon/status_board.hpp"
#include "client/daemon/stop_flag.hpp"
#include "shared/envelope/enrollment.hpp"
#include "shared/util/clock.hpp"

// The sender thread of the daemon: seals batches from the outbox and hands
// them to the carriers (outbox::Sender, one step at a time), sleeping until
// a batch's retry time or until new readings wake it. Blocking on the
// network happens here, never on the collector's thread. A new
// configuration or enrollment takes effect before the next step; a send in
// flight finishes first.
namespace openmps::client::daemon {

class SendLoop {
 public:
  // A failure of the outbox database ends the daemon: stop is set. board
  // (nullptr: none) is told every route's answer and the next send.
  SendLoop(const util::Clock& clock, StopFlag& stop, StatusBoard* board = nullptr);
  ~SendLoop();
  SendLoop(const SendLoop&) = delete;
  SendLoop& operator=(const SendLoop&) = delete;

  // Starts the thread, or hands it a new configuration and enrollment.
  void configure(std::shared_ptr<const config::ClientConfig> config,
                 envelope::Enrollment enrollment);
  // Readings were committed: look at the outbox now, not at the next timer.
  void wake();
  // Ends the loop after the step in flight and joins the thread.
  void stop();

 private:
  struct Setup {
    std::shared_ptr<const config::ClientConfig> config;
    envelope::Enrollment enrollment;
  };
  void loop();
  bool sendWithSetup(const Setup& setup);

  const util::Clock& clock_;
  StopFlag& stop_;
  StatusBoard* board_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Setup> next_;  // a new setup, taken before the next step
  // Set under mutex_ with each wake, so a reading committed while a batch
  // is on its way is seen at once, not after the loop's longest wait.
  bool pending_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

// run --once: every batch once, in order, until the outbox is empty; stops
// at the first batch that cannot be delivered. True when nothing is left
// and no batch was rejected.
bool sendUntilEmpty(const config::ClientConfig& config, const envelope::Enrollment& enrollment,
                    const util::Clock& clock, const StopFlag& stop);

}  // namespace openmps::client::daemon
