#include "client/daemon/send_loop.hpp"

#include <random>

#include "client/daemon/carriers.hpp"
#include "client/daemon/read_plan.hpp"
#include "client/outbox/sender.hpp"
#include "client/outbox/sqlite_outbox.hpp"
#include "shared/envelope/seal.hpp"
#include "shared/util/log.hpp"
#include "shared/util/version.hpp"

namespace openmps::client::daemon {
namespace {

constexpr std::string_view kLog = "run";

outbox::Sealer sealerFor(const envelope::ClientKey& key) {
  return [key](envelope::Batch& batch) {
    batch.clientVersion = openmps::kVersion;
    return envelope::sealBatch(batch, key);
  };
}

outbox::SenderSettings senderSettings(const config::ClientConfig& config) {
  outbox::SenderSettings s;
  s.sendInterval = config.carrier.sendInterval;
  s.maxBatchItems = config.carrier.maxBatchItems;
  return s;
}

std::function<double()> random01() {
  auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); };
}

}  // namespace

SendLoop::SendLoop(const util::Clock& clock, StopFlag& stop, StatusBoard* board)
    : clock_(clock), stop_(stop), board_(board) {
  stop_.watch(wake_, mutex_);
}

SendLoop::~SendLoop() {
  stop();
  stop_.unwatch(wake_);
}

void SendLoop::configure(std::shared_ptr<const config::ClientConfig> config,
                         envelope::Enrollment enrollment) {
  {
    const std::lock_guard lock(mutex_);
    next_ = Setup{std::move(config), std::move(enrollment)};
    pending_ = true;
  }
  wake_.notify_all();
  if (!thread_.joinable()) {
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
  }
}

void SendLoop::wake() {
  {
    const std::lock_guard lock(mutex_);
    pending_ = true;
  }
  wake_.notify_all();
}

void SendLoop::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void SendLoop::loop() {
  try {
    while (true) {
      Setup setup;
      {
        const std::lock_guard lock(mutex_);
        if (stopping_ || stop_.stopped() || !next_) return;
        setup = std::move(*next_);
        next_.reset();
      }
      if (!sendWithSetup(setup)) return;
    }
  } catch (const std::exception& e) {
    util::logError(kLog) << "sender stopped: " << e.what();
    stop_.stop();
  }
}

// Sends with one setup until it is replaced (true) or the loop ends (false).
bool SendLoop::sendWithSetup(const Setup& setup) {
  const config::ClientConfig& config = *setup.config;
  outbox::Database db(config.databasePath());
  outbox::SqliteOutbox box(db, config.outbox.maxItems);
  RouteObserver observer;
  if (board_ != nullptr) {
    observer = [this](const std::string& server, const carrier::SendResult& result) {
      board_->routeAnswered(server, result, clock_.now());
    };
  }
  auto carrier = makeCarrier(config, setup.enrollment, observer);
  outbox::Sender sender(box, *carrier, sealerFor(setup.enrollment.key), senderSettings(config),
                        clock_, random01());
  while (true) {
    {
      const std::lock_guard lock(mutex_);
      if (stopping_ || stop_.stopped()) return false;
      if (next_) return true;
    }
    const auto step = sender.step(false);
    if (board_ != nullptr) {
      if (step.outcome == outbox::SendOutcome::kDelivered) board_->batchRefused(false);
      if (step.outcome == outbox::SendOutcome::kRejected) board_->batchRefused(true);
      board_->setNextSend(step.retryAt);
    }
    if (step.outcome == outbox::SendOutcome::kDelivered ||
        step.outcome == outbox::SendOutcome::kRejected) {
      continue;
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, senderWait(step.retryAt, clock_.now()),
                   [this] { return pending_ || stopping_ || stop_.stopped(); });
    pending_ = false;
  }
}

bool sendUntilEmpty(const config::ClientConfig& config, const envelope::Enrollment& enrollment,
                    const util::Clock& clock, const StopFlag& stop) {
  outbox::Database db(config.databasePath());
  outbox::SqliteOutbox box(db, config.outbox.maxItems);
  auto carrier = makeCarrier(config, enrollment);
  outbox::Sender sender(box, *carrier, sealerFor(enrollment.key), senderSettings(config), clock,
                        random01());
  bool rejected = false;
  while (!stop.stopped()) {
    const auto step = sender.step(true);
    if (step.outcome == outbox::SendOutcome::kIdle) {
      break;
    }
    if (step.outcome == outbox::SendOutcome::kRejected) {
      rejected = true;
    }
    if (step.outcome == outbox::SendOutcome::kFailed) {
      util::logError(kLog) << "the outbox could not be emptied: " << step.detail;
      return false;
    }
  }
  const auto s = box.stats();
  util::logInfo(kLog) << "outbox: " << s.storedItems << " readings left, " << s.confirmedItems
                      << " confirmed in all";
  return !rejected && s.storedItems == 0;
}

}  // namespace openmps::client::daemon
