#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "server/notify/notification.hpp"
#include "server/notify/retry_policy.hpp"

// The database seam of delivery: claim the next due notification and keep
// it claimed while it is sent, then record how it went. pg_delivery_store
// is the PostgreSQL adapter (a row lock held by an open transaction, so a
// crash releases it and another server sends it); unit tests use a fake.
namespace openmps::server::notify {

struct ChannelsReady {
  bool email = false;  // an SMTP server is configured
  bool webhook = true;
};

class DeliveryStore {
 public:
  virtual ~DeliveryStore() = default;
  // The oldest due notification of a ready channel, claimed until finish()
  // or abandon(); nullopt when none is due.
  virtual std::optional<Delivery> claimNext(std::chrono::system_clock::time_point now,
                                            ChannelsReady channels) = 0;
  // Records the outcome of the claimed notification and releases it.
  virtual void finish(const Delivery& delivery, const Decision& decision, const std::string& detail,
                      std::chrono::system_clock::time_point now) = 0;
  // Releases the claim without recording anything (an error in between).
  virtual void abandon() = 0;
  // Waits at most `timeout` for a notification to be queued; true when
  // one was (or may have been).
  virtual bool waitForWork(std::chrono::milliseconds timeout) = 0;
};

}  // namespace openmps::server::notify
